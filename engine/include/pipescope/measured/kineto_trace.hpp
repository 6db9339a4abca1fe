#pragma once
// One rank's PyTorch profiler trace (Kineto's Chrome-trace JSON, as
// torch.profiler's export_chrome_trace writes it, plain or gzipped), read as a
// stream: the JSON is never held whole, only the few fields of each event
// pipescope needs (traces reach hundreds of MB). What a trace holds:
//   distributedInfo     {rank, world_size, backend, pg_config}
//   baseTimeNanoseconds where the trace's clock starts, on the host's clock
//   traceEvents         complete events ("ph": "X") with a category: cpu_op
//                       (aten ops; autograd's "evaluate_function: ..." for
//                       backward), user_annotation (record_function labels:
//                       ProfilerStep#N, PP:0F3, gloo:send, nccl:recv),
//                       gpu_user_annotation (those labels on the GPU's
//                       timeline), kernel (CUDA kernels, with a correlation
//                       id), cuda_runtime (the launches, the same id).

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pipescope {

enum class EventCategory : std::uint8_t {
  CpuOp,
  UserAnnotation,
  GpuUserAnnotation,
  Kernel,
  Runtime,  // cuda_runtime / cuda_driver: a kernel's launch on the CPU
  Memory,   // gpu_memcpy / gpu_memset: copies and fills on the GPU
  Other,
};

struct TraceEvent {
  std::int64_t start_ns = 0, end_ns = 0;  // on the trace's own clock (ts, ts + dur)
  std::int32_t name = 0;                  // index into KinetoTrace::names
  std::int32_t thread = 0;                // index into KinetoTrace::threads
  std::int64_t correlation = -1;          // args.correlation (kernels and their launches)
  EventCategory category = EventCategory::Other;
};

// One process group from distributedInfo.pg_config: the ranks that run a
// group's collectives. torch names groups by number ("0", "1"...); the
// description carries what made it ("default_pg", DeviceMesh's "mesh_pp",
// "mesh_dp", "mesh_tp"; "undefined" when the code gave none).
struct ProcessGroup {
  std::string name, desc;
  std::vector<int> ranks;  // global ranks, as listed
};

struct KinetoTrace {
  std::string path;
  int rank = -1, world_size = -1;  // distributedInfo; -1 when the trace has none or they are unusable
  // What is wrong with distributedInfo's rank or world_size as written
  // ("rank is \"3\" (a string)"), "" when they are fine or absent.
  std::string distributed_problem;
  std::string backend;             // "nccl", "gloo", ...
  std::vector<ProcessGroup> groups;  // distributedInfo.pg_config, as listed (the groups this rank is in)
  std::int64_t base_time_ns = 0;   // baseTimeNanoseconds (0 when absent)
  std::vector<std::string> names;  // every distinct event name, once
  std::vector<std::string> threads;  // "pid/tid" of each thread seen
  std::vector<TraceEvent> events;    // complete events, in the file's order
};

// "PATH: is not a PyTorch profiler trace: ...", "PATH: ends early (truncated?) ...".
struct TraceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Caps: a file's text (after gunzip), one token in it (a string, a number
// or a run of spaces: the JSON lexer holds a token whole, and no trace has
// one of megabytes), its events (40 bytes each) and its distinct names.
// Past them the reader stops with a TraceError naming the cap, having held
// no more than it: any file costs at most about 1 GB.
inline constexpr std::uint64_t kMaxTraceTextBytes = 2ull << 30;  // 2 GiB
inline constexpr std::uint64_t kMaxTraceTokenBytes = 16u << 20;  // 16 MiB
inline constexpr std::size_t kMaxTraceEvents = 16'000'000;
inline constexpr std::uint64_t kMaxTraceNameBytes = 256u << 20;  // 256 MiB
// pg_config: groups a rank lists, and ranks listed in all but the default
// group's (every rank; not kept): past them the rest are dropped, and a mesh
// they leave incomplete is refused when read. A rank lists its own few groups.
inline constexpr std::size_t kMaxProcessGroups = 1024;
inline constexpr std::size_t kMaxGroupRanks = 1u << 16;
// A run's files together (each read and reduced to its step before the next).
inline constexpr std::size_t kMaxRunEvents = 32'000'000;

// The caps a read keeps to: the above by default; a fuzzer lowers them so
// that its inputs reach them cheaply.
struct TraceLimits {
  std::size_t file_events = kMaxTraceEvents;
  std::size_t run_events = kMaxRunEvents;  // all of a run's files together
  std::uint64_t token_bytes = kMaxTraceTokenBytes;
};

// Reads the file (gzipped or not: the first bytes tell). Throws TraceError.
// `run_events_before`: events the run's files read before this one held.
KinetoTrace read_kineto_trace(const std::string& path, const TraceLimits& limits = {},
                              std::size_t run_events_before = 0);

}  // namespace pipescope
