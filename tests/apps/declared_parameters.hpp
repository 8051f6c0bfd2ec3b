#pragma once
// What models/banenafspraak_params.hpp declares, for the command-line tests,
// which see the program only from outside and name their runner `banensim`
// (the library's namespace); so this lives in its own translation unit.

#include <string>
#include <vector>

// The keys of the uncertain parameters (declared with a plausible range), in
// declaration order: the keys sweep --range-from-schema, sensitivity and
// discover vary.
std::vector<std::string> declared_uncertain_keys();

// Those of them that can change an output of `scenario`: without the
// parameters of a declared lever the scenario switches off (read with the
// scenario loader, from the lever declarations).
std::vector<std::string> declared_uncertain_keys_in_use(const std::string& scenario);
