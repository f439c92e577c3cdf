//
// Suggest.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Suggest.h"
#include <Poco/String.h>
#include <algorithm>

namespace jwtflow {

std::size_t editDistance(const std::string& aIn, const std::string& bIn)
{
	const std::string a = Poco::toLower(aIn), b = Poco::toLower(bIn);
	const std::size_t n = a.size(), m = b.size();
	std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
	for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
	for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
	for (std::size_t i = 1; i <= n; ++i)
	{
		for (std::size_t j = 1; j <= m; ++j)
		{
			const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
		}
	}
	return d[n][m];
}

std::string closestName(const std::string& word, const std::vector<std::string>& candidates)
{
	if (word.empty() || word.size() > 64) return {};
	std::string best;
	std::size_t bestDistance = std::min<std::size_t>(3, std::max<std::size_t>(1, word.size() / 3)) + 1;
	for (const auto& c: candidates)
	{
		const std::size_t d = editDistance(word, c);
		if (d < bestDistance)
		{
			best = c;
			bestDistance = d;
		}
	}
	if (!best.empty()) return best;
	const std::string lower = Poco::toLower(word);
	for (const auto& c: candidates)
		if (word.size() >= 3 && Poco::toLower(c).compare(0, lower.size(), lower) == 0) return c;
	return {};
}

} // namespace jwtflow
