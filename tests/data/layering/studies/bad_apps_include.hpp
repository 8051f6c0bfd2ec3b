#pragma once
#include "apps/html_report.hpp"
