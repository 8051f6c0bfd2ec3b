#pragma once
#  include "../../models/problem.hpp"
