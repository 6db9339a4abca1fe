#include <exception>
#include <iostream>

#include "cli.hpp"

int main(int argc, char** argv) {
  try {
    return pipescope::app::run_cli(argc, argv);
  } catch (const std::exception& e) {
    // Last resort: whatever escaped is still one readable line, not an abort.
    std::cerr << "pipescope: " << e.what() << "\n";
    return 1;
  }
}
