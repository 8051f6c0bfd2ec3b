# Script mode (cmake -DSOURCE_DIR=... -P check_layering.cmake), run by CTest:
# dependencies point one way, engine <- models <- studies <- apps (STYLE.md).
# Fails, listing every offender, when a C++ file under
#   engine/   includes anything from models/, studies/ or apps/,
#   models/   includes anything from studies/ or apps/,
#   studies/  includes anything from apps/.
# An include names a layer by its first path component, after resolving a
# path relative to the including file ("../models/x.hpp") when that file
# exists; both "..." and <...> forms count. tests/, bench/ and fuzz/ may
# include anything, as apps/ may.
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<source tree> -P check_layering.cmake")
endif()
get_filename_component(root "${SOURCE_DIR}" ABSOLUTE)

set(forbidden_engine models studies apps)
set(forbidden_models studies apps)
set(forbidden_studies apps)

set(n_checked 0)
set(offenders "")
foreach(layer engine models studies)
  file(GLOB_RECURSE files LIST_DIRECTORIES false
       "${root}/${layer}/*.hpp" "${root}/${layer}/*.cpp" "${root}/${layer}/*.h" "${root}/${layer}/*.cc"
       "${root}/${layer}/*.inc")
  list(SORT files)
  foreach(file IN LISTS files)
    math(EXPR n_checked "${n_checked} + 1")
    get_filename_component(dir "${file}" DIRECTORY)
    file(RELATIVE_PATH shown "${root}" "${file}")
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line IN LISTS includes)
      if(NOT line MATCHES "#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"]")
        continue()
      endif()
      set(included "${CMAKE_MATCH_1}")
      # A path relative to the including file, if it names one; else from the root.
      set(target "${included}")
      if(EXISTS "${dir}/${included}" OR included MATCHES "^\\.\\./")
        get_filename_component(absolute "${dir}/${included}" ABSOLUTE)
        file(RELATIVE_PATH target "${root}" "${absolute}")
      endif()
      string(REGEX MATCH "^[^/]+" first "${target}")
      if(first IN_LIST forbidden_${layer})
        list(APPEND offenders "${shown}: #include \"${included}\": ${layer}/ must not include from ${first}/")
      endif()
    endforeach()
  endforeach()
endforeach()

if(offenders)
  list(LENGTH offenders n)
  list(JOIN offenders "\n  " text)
  message(FATAL_ERROR "${n} forbidden include(s); dependencies point engine <- models <- studies <- apps:\n  ${text}")
endif()
message(STATUS "layering: ${n_checked} files under engine/, models/, studies/ include nothing from a later layer")
