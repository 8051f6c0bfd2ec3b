# Writes a C++ header holding a text file as a std::string_view, at build
# time (cmake -DIN=file -DOUT=header -DNAME=kName -P embed_text.cmake): how
# `banensim serve` carries its page inside the program. The text goes in as
# raw string literals of at most 16,000 characters each (below the length
# -Woverlength-strings warns about), concatenated by the compiler.
file(READ "${IN}" text)
string(FIND "${text}" ")EMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the delimiter )EMBED\" and cannot be embedded")
endif()
string(LENGTH "${text}" n)
set(pieces "")
set(i 0)
while(i LESS n)
  string(SUBSTRING "${text}" ${i} 16000 piece)
  string(APPEND pieces "R\"EMBED(${piece})EMBED\"\n")
  math(EXPR i "${i} + 16000")
endwhile()
set(content "// Generated from ${IN} by cmake/embed_text.cmake; do not edit.\n#pragma once\n#include <string_view>\ninline constexpr std::string_view ${NAME} =\n${pieces};\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${content}")
