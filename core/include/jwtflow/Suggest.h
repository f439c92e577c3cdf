//
// Suggest.h
//
// Library: jwtflow core
// "Did you mean ...?" for a mistyped command, provider or option.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SUGGEST_INCLUDED
#define JWTFLOW_SUGGEST_INCLUDED

#include "jwtflow/Export.h"
#include <string>
#include <vector>

namespace jwtflow {

JWTFLOW_API std::size_t editDistance(const std::string& a, const std::string& b);
	/// Damerau-Levenshtein distance (insertions, deletions, substitutions and
	/// swaps of neighbours), ignoring case.

JWTFLOW_API std::string closestName(const std::string& word, const std::vector<std::string>& candidates);
	/// The candidate nearest to word when it is near enough to be a typo (at
	/// most a third of its length, at least 1 edit, at most 3), or one that
	/// starts with word ("azure" -> "azure-ad"); "" when none is.

} // namespace jwtflow

#endif // JWTFLOW_SUGGEST_INCLUDED
