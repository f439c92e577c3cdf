//
// TokenStoreFactory.h
//
// Library: jwtflow core
// TOKEN_STORE (the CLI) and jwtflow.session.<name>.store (an embedding
// program) name a token store in the same words, parsed in one place:
// `none`, `memory`, `file`, or a URL whose scheme a store registered, the way
// POCO's HTTPSessionFactory registers protocols. The core registers none,
// memory and file; jwtflow_net adds redis (registerRedisTokenStore).
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_TOKENSTOREFACTORY_INCLUDED
#define JWTFLOW_TOKENSTOREFACTORY_INCLUDED

#include "jwtflow/Export.h"
#include "jwtflow/Settings.h"
#include "jwtflow/TokenStore.h"
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API TokenStoreContext
	/// What a store is made with.
{
	const Settings* settings = nullptr;               /// its sub-settings (REDIS_PASSWORD_FILE, REDIS_KEY_PREFIX ...)
	std::shared_ptr<const TokenSealer> sealer;        /// seals what it keeps (from the signing key)
	std::function<void(const std::string&)> onNote;   /// details (-v, a log); may be empty
	std::function<void(const std::string&)> onWarning; /// a store that does not answer now; may be empty
	std::string where = "TOKEN_STORE";                /// how messages name the setting
	std::function<std::string(const std::string&)> nameOf; /// how messages name a sub-setting (REDIS_PASSWORD_FILE);
	                                                  /// empty: by its own name

	std::string named(const std::string& setting) const { return nameOf ? nameOf(setting) : setting; }
};

class JWTFLOW_API TokenStoreFactory
	/// Makes token stores from their names. Thread-safe.
{
public:
	using Maker = std::function<std::shared_ptr<TokenStore>(const std::string& spec, const TokenStoreContext& context)>;

	static TokenStoreFactory& defaultFactory();
		/// The process's factory, with none, memory and file registered.

	void registerScheme(const std::string& scheme, Maker maker, std::string describe);
		/// Makes spec `scheme` (a word) or `scheme://...` (a URL) with maker;
		/// describe is how the words list names it ("redis://host:port/database").

	bool has(const std::string& scheme) const;

	static std::string schemeOf(const std::string& spec);
		/// "redis" for "redis://h:1/0", the word itself for "file".

	void check(const std::string& spec, const std::string& where = "TOKEN_STORE") const;
		/// Throws UsageException naming where and the stores this factory makes
		/// when spec is none of them.

	std::shared_ptr<TokenStore> open(const std::string& spec, const TokenStoreContext& context) const;
		/// The store spec names; nullptr for `none`. Throws as check() does, and
		/// as the store's maker does (UsageException for credentials a store
		/// refused, InputException for a file that cannot be used).

private:
	TokenStoreFactory();
	mutable std::mutex _mutex;
	std::map<std::string, Maker> _makers;
	std::vector<std::string> _described;
};

} // namespace jwtflow

#endif // JWTFLOW_TOKENSTOREFACTORY_INCLUDED
