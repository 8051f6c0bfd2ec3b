#pragma once
#include "models/banenafspraak_model.hpp"
