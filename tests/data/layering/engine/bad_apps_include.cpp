#include <apps/cli_common.hpp>
