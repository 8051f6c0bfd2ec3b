#pragma once
// #include "models/banenafspraak_model.hpp" is only a comment here
#include <vector>

#include "engine/random_stream.hpp"
#include "sub/bad_relative_include.hpp"
