#pragma once
#include <string>

namespace pipescope {

// "<folder>/<prefix>0001<extension>", numbered one past the highest such
// file already there, so screenshots never overwrite each other. Throws
// std::runtime_error naming the folder if it does not exist.
std::string next_numbered_path(const std::string& folder, const std::string& prefix, const std::string& extension);

}  // namespace pipescope
