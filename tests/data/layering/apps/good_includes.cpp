#include "apps/cli_common.hpp"
#include "engine/prim.hpp"
#include "models/banenafspraak_params.hpp"
#include "studies/design.hpp"
