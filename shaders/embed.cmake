# Turns the GLSL files into a C++ source of string constants, so the program
# finds its shaders wherever it runs from. Called at build time:
#   cmake -DOUTPUT=file.cpp -DINPUTS=a.vert,a.frag -P embed.cmake
set(code "// Generated from shaders/ by shaders/embed.cmake. Do not edit.\n")
string(APPEND code "#include \"pipescope/gl/shader_sources.hpp\"\n\nnamespace pipescope::gl {\n\n")
string(APPEND code "std::string_view shader_source(std::string_view name) {\n")
string(REPLACE "," ";" INPUTS "${INPUTS}")
foreach(input IN LISTS INPUTS)
  get_filename_component(name "${input}" NAME)
  file(READ "${input}" text)
  string(APPEND code "  if (name == \"${name}\") return R\"glsl(${text})glsl\";\n")
endforeach()
string(APPEND code "  return {};\n}\n\n}  // namespace pipescope::gl\n")
file(WRITE "${OUTPUT}.tmp" "${code}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
