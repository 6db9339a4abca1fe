#include <gtest/gtest.h>

#include <cctype>

#include "pipescope/model/params.hpp"

namespace pipescope {
namespace {

// The single message validate() gives for `p`, or a failure if not exactly one.
std::string only_error(const Params& p, const std::string& field) {
  const auto errors = validate(p);
  EXPECT_EQ(errors.size(), 1u);
  if (errors.empty()) return {};
  EXPECT_EQ(errors[0].field, field);
  return errors[0].message;
}

TEST(Params, NotebookDefaultsAreValid) {
  Params p;
  EXPECT_TRUE(validate(p).empty());
  EXPECT_EQ(p.hidden(), 16);  // d_hidden follows 2 * d_model unless set
  p.d_model = 5;
  EXPECT_EQ(p.hidden(), 10);
  p.d_hidden = 7;
  EXPECT_EQ(p.hidden(), 7);
}

TEST(Params, CountsMustBePositive) {
  struct Case {
    std::int64_t Params::*field;
    const char* name;
  };
  for (auto [field, name] : {Case{&Params::d_model, "d_model"}, Case{&Params::B, "B"},
                             Case{&Params::L, "L"}, Case{&Params::dp, "dp"}, Case{&Params::pp, "pp"},
                             Case{&Params::microbatches, "microbatches"}}) {
    Params p;
    p.d_hidden = 16;  // keep d_hidden valid when d_model is the culprit
    p.*field = 0;
    EXPECT_EQ(only_error(p, name), std::string(name) + " is 0, but it must be at least 1");
    p.*field = -3;
    EXPECT_EQ(only_error(p, name), std::string(name) + " is -3, but it must be at least 1");
  }
  Params p;
  p.d_hidden = 0;
  EXPECT_EQ(only_error(p, "d_hidden"), "d_hidden is 0, but it must be at least 1");
}

TEST(Params, GapsAndCommStepsMustNotBeNegative) {
  for (auto [field, name] :
       {std::pair{&Params::dp_gpu_delta, "dp_gpu_delta"}, std::pair{&Params::pp_gpu_delta, "pp_gpu_delta"},
        std::pair{&Params::pp_comm_steps, "pp_comm_steps"},
        std::pair{&Params::dp_comm_steps, "dp_comm_steps"}}) {
    Params p;
    p.*field = -1;
    EXPECT_EQ(only_error(p, name), std::string(name) + " is -1, but it must be 0 or more");
    p.*field = 0;
    EXPECT_TRUE(validate(p).empty()) << name << " = 0 is allowed";
  }
}

TEST(Params, LayersMustDivideIntoStages) {
  Params p;
  p.L = 7;
  EXPECT_EQ(only_error(p, "L"),
            "L is 7, but it must be a multiple of pp (3): every pipeline stage holds the same "
            "number of layers");
}

TEST(Params, HugeSceneIsRefusedWithTheObjectCount) {
  Params p;
  p.microbatches = 100'000'000;
  const std::string msg = only_error(p, "microbatches");
  // 2 replicas x (2*6 weights + 4*6*1e8 h/x/F1/F2 + 3e8 stage inputs + 2e8 sends) + 12 exchanges
  EXPECT_NE(msg.find("dp 2 x L 6 x microbatches 100000000 would need 5800000036 scene objects"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("the limit is 2000000"), std::string::npos) << msg;
}

TEST(Params, EndlessAnimationIsRefusedWithTheFrameCount) {
  Params p;
  p.pp_comm_steps = 1'000'000'000;
  const std::string msg = only_error(p, "pp_comm_steps");
  EXPECT_NE(msg.find("would animate"), std::string::npos) << msg;
  EXPECT_NE(msg.find("the limit is 1000000"), std::string::npos) << msg;
}

TEST(Params, OverflowingInputsAreRefusedNotWrapped) {
  Params p;
  p.dp = std::numeric_limits<std::int64_t>::max();
  p.microbatches = std::numeric_limits<std::int64_t>::max();
  const auto errors = validate(p);
  ASSERT_FALSE(errors.empty());
  EXPECT_TRUE(errors[0].field == "dp" || errors[0].field == "microbatches") << errors[0].field;
  EXPECT_EQ(errors[0].message.find("-"), std::string::npos) << "no wrapped value: " << errors[0].message;
}

// A count or extent too big names the parameter that was given and drives
// it, not a fixed one; a rule of a derived value is not blamed on a
// parameter the user never set.
struct Culprit {
  const char* what;
  void (*set)(Params&);
  const char* field;
};

class ParamsCulprit : public ::testing::TestWithParam<Culprit> {};

TEST_P(ParamsCulprit, IsTheOneNamed) {
  Params p;
  GetParam().set(p);
  const auto errors = validate(p);
  ASSERT_EQ(errors.size(), 1u) << GetParam().what;
  EXPECT_EQ(errors[0].field, GetParam().field) << errors[0].message;
  EXPECT_EQ(errors[0].message.rfind(GetParam().field, 0) == 0 || errors[0].message.find(std::string("lower ") + GetParam().field) != std::string::npos, true)
      << errors[0].message;
}

constexpr std::int64_t kHuge = std::numeric_limits<std::int64_t>::max();

INSTANTIATE_TEST_SUITE_P(
    Caps, ParamsCulprit,
    ::testing::Values(Culprit{"dp", [](Params& p) { p.dp = 222223; p.dp_gpu_delta = 0; }, "dp"},
                      Culprit{"layers", [](Params& p) { p.L = 166665; }, "L"},
                      Culprit{"microbatches", [](Params& p) { p.microbatches = 100000000; }, "microbatches"},
                      Culprit{"dp_comm_steps", [](Params& p) { p.dp_comm_steps = 2147483648; }, "dp_comm_steps"},
                      Culprit{"pp_comm_steps", [](Params& p) { p.pp_comm_steps = 2147483648; }, "pp_comm_steps"},
                      Culprit{"cost_w", [](Params& p) { p.schedule = ScheduleKind::GPipe; p.cost_w = 1000000; }, "cost_w"},
                      Culprit{"d_model zero", [](Params& p) { p.d_model = 0; }, "d_model"},
                      Culprit{"d_model huge", [](Params& p) { p.d_model = kHuge; }, "d_model"},
                      Culprit{"d_hidden huge", [](Params& p) { p.d_hidden = kHuge; }, "d_hidden"},
                      Culprit{"batch huge", [](Params& p) { p.B = kHuge; }, "B"},
                      Culprit{"dp gap huge", [](Params& p) { p.dp_gpu_delta = kHuge; }, "dp_gpu_delta"},
                      Culprit{"pp gap huge", [](Params& p) { p.pp_gpu_delta = kHuge; }, "pp_gpu_delta"}),
    [](const ::testing::TestParamInfo<Culprit>& info) {
      std::string name = info.param.what;
      for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(Params, InvalidParamsCarriesEveryMessage) {
  Params p;
  p.dp = 0;
  p.pp = 0;
  const InvalidParams e(validate(p));
  EXPECT_EQ(e.errors.size(), 2u);
  EXPECT_STREQ(e.what(), "dp is 0, but it must be at least 1; pp is 0, but it must be at least 1");
}

}  // namespace
}  // namespace pipescope

#include "pipescope/schedule/schedule_file.hpp"

namespace {

// A cap a schedule file's microbatches break blames the file, not
// --microbatches, which the user never gave.
TEST(ParamsCulprit, ACapBrokenByASchedulesFileNamesTheFile) {
  std::string row0, row1;
  for (int m = 0; m < 90000; ++m) row0 += "0F" + std::to_string(m) + ",";
  for (int m = 0; m < 90000; ++m) row1 += "1F" + std::to_string(m) + ",";
  for (int m = 0; m < 90000; ++m) row1 += "1B" + std::to_string(m) + ",";
  for (int m = 0; m < 90000; ++m) row0 += "0B" + std::to_string(m) + ",";
  pipescope::Params p;
  p.schedule_file = pipescope::schedule_from_csv("wide.csv", row0 + "\n" + row1 + "\n");
  p.pp = 2;
  p.microbatches = 90000;
  p.dp = 4;
  p.L = 6;
  const auto errors = pipescope::validate(p);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front().field, "microbatches");
  EXPECT_TRUE(errors.front().from_schedule_file);
  EXPECT_NE(errors.front().message.find("wide.csv sets microbatches to 90000: use a schedule with fewer"),
            std::string::npos)
      << errors.front().message;
  p.schedule_file.reset();  // the same count given by hand: lower it
  p.schedule = pipescope::ScheduleKind::OneFOneB;
  const auto given = pipescope::validate(p);
  ASSERT_FALSE(given.empty());
  EXPECT_FALSE(given.front().from_schedule_file);
  EXPECT_NE(given.front().message.find("lower microbatches"), std::string::npos) << given.front().message;
}

}  // namespace
