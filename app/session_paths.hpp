#pragma once
// Where the files a session names may lie: in its own folder (or below it),
// unless the user trusts the session. A file someone sent must not read the
// user's other files, by a path or by a link.

#include <filesystem>

namespace pipescope::app {

// Whether `file`, as a session names it, stays inside the session's folder
// by its name alone (relative, no ".." out of it).
bool inside_folder(const std::filesystem::path& file);

// Whether `named` stays inside `folder` once its links are followed: the
// path itself and, for a folder (of traces), each entry in it. Only names are
// resolved (realpath, readlink): nothing is opened. A path that cannot be
// resolved (a loop, no such file) cannot read anything either: its loader
// says what is wrong with it.
bool resolves_inside_folder(const std::filesystem::path& folder, const std::filesystem::path& named);

}  // namespace pipescope::app
