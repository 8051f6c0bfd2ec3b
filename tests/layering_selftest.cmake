# Script mode (cmake -DCHECKER=... -DFIXTURE=... -P layering_selftest.cmake):
# the layering check (cmake/check_layering.cmake) must fail on the fixture
# tree tests/data/layering, naming each forbidden include there -- one per
# bad_* file: "..." and <...> forms, a path relative to the including file,
# and every forbidden direction -- and none of the allowed ones (good_*
# files, a commented-out include).
execute_process(COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${FIXTURE} -P "${CHECKER}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(text "${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the layering check passed on a tree with forbidden includes:\n${text}")
endif()
foreach(expected
    "6 forbidden include(s)"
    "engine/bad_model_include.hpp: #include \"models/banenafspraak_model.hpp\": engine/ must not include from models/"
    "engine/bad_apps_include.cpp: #include \"apps/cli_common.hpp\": engine/ must not include from apps/"
    "engine/sub/bad_relative_include.hpp: #include \"../../models/problem.hpp\": engine/ must not include from models/"
    "models/bad_apps_include.cpp: #include \"apps/cli_common.hpp\": models/ must not include from apps/"
    "models/bad_studies_include.hpp: #include \"studies/design.hpp\": models/ must not include from studies/"
    "studies/bad_apps_include.hpp: #include \"apps/html_report.hpp\": studies/ must not include from apps/")
  string(FIND "${text}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the layering check did not report\n  ${expected}\nIt said:\n${text}")
  endif()
endforeach()
string(FIND "${text}" "good_includes" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "the layering check reported an allowed include:\n${text}")
endif()
message(STATUS "the layering check fails on the fixture and names its 6 forbidden includes")
