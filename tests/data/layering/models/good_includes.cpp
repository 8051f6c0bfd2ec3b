#include "engine/fnv1a.hpp"
#include "models/problem.hpp"
