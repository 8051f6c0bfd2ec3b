#include "engine/prim.hpp"
#include "models/banenafspraak_params.hpp"
