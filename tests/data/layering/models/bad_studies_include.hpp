#pragma once
#include "studies/design.hpp"
