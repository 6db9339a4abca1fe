#include <exception>
#include <iostream>

#include "cli.hpp"
#include "terminal_text.hpp"

int main(int argc, char** argv) {
  // Before anything is written: no input reaches the terminal as a control sequence.
  const pipescope::app::TerminalSafeStandardStreams safe_streams;
  try {
    return pipescope::app::run_cli(argc, argv);
  } catch (const std::exception& e) {
    // Last resort: whatever escaped is still one readable line, not an abort.
    std::cerr << "pipescope: " << e.what() << "\n";
    return 1;
  }
}
