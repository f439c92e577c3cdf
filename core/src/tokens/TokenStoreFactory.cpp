//
// TokenStoreFactory.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/TokenStoreFactory.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include <Poco/String.h>

namespace jwtflow {

TokenStoreFactory::TokenStoreFactory()
{
	registerScheme("none", [](const std::string&, const TokenStoreContext&) { return std::shared_ptr<TokenStore>(); },
		"none (no store)");
	registerScheme("memory", [](const std::string&, const TokenStoreContext&) -> std::shared_ptr<TokenStore> {
		return std::make_shared<MemoryTokenStore>();
	}, "memory (this process only)");
	registerScheme("file", [](const std::string&, const TokenStoreContext& context) -> std::shared_ptr<TokenStore> {
		if (!context.sealer) throw UsageException("the file token store needs the signing key to seal with");
		return std::make_shared<FileTokenStore>(FileTokenStore::defaultFolder(), context.sealer, context.onNote);
	}, "file (the encrypted cache in ~/.cache/jwtflow/tokens)");
}

TokenStoreFactory& TokenStoreFactory::defaultFactory()
{
	static TokenStoreFactory factory;
	return factory;
}

void TokenStoreFactory::registerScheme(const std::string& scheme, Maker maker, std::string describe)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_makers.count(scheme)) _described.push_back(std::move(describe));
	_makers[scheme] = std::move(maker);
}

bool TokenStoreFactory::has(const std::string& scheme) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _makers.count(scheme) > 0;
}

std::string TokenStoreFactory::schemeOf(const std::string& spec)
{
	const auto colon = spec.find("://");
	return Poco::toLower(colon == std::string::npos ? spec : spec.substr(0, colon));
}

void TokenStoreFactory::check(const std::string& spec, const std::string& where) const
{
	const std::string scheme = schemeOf(spec);
	const bool url = spec.find("://") != std::string::npos;
	std::lock_guard<std::mutex> lock(_mutex);
	// A word for a word store, a URL for a URL store ("file://x" and a bare "redis" are neither).
	const bool wordStore = scheme == "none" || scheme == "memory" || scheme == "file";
	if (_makers.count(scheme) && url != wordStore) return;
	std::string words;
	for (const auto& d: _described) words += (words.empty() ? "" : ", ") + d;
	throw UsageException(where + " " + quotedText(spec, 120) + " is not a token store: use " + words);
}

std::shared_ptr<TokenStore> TokenStoreFactory::open(const std::string& spec, const TokenStoreContext& context) const
{
	check(spec, context.where);
	Maker maker;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		maker = _makers.at(schemeOf(spec));
	}
	return maker(spec, context);
}

} // namespace jwtflow
