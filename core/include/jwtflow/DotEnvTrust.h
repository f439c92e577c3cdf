//
// DotEnvTrust.h
//
// Library: jwtflow core
// A folder is not the user: the `.env` of the current folder may come from a
// cloned repository, so it is read only once the user trusted it, as direnv
// asks for `direnv allow` (`jwtflow trust`). What is trusted is one file's
// absolute path with its SHA-256: a changed file must be trusted again.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_DOTENVTRUST_INCLUDED
#define JWTFLOW_DOTENVTRUST_INCLUDED

#include "jwtflow/Encoding.h"
#include "jwtflow/Export.h"
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API TrustedDotEnv
	/// One entry of the trust list.
{
	std::string path;     /// absolute, the folder's links resolved
	std::string sha256;   /// of the file's bytes, lower-case hex
};

enum class DotEnvTrustState
{
	Trusted,   ///< this path with this content was trusted
	Unknown,   ///< this path was never trusted
	Changed    ///< this path was trusted with other content
};

class JWTFLOW_API DotEnvTrust
	/// The user's list of trusted `.env` files: one line per file
	/// (`<sha256> <absolute path>`) in a 0600 file in a 0700 folder, replaced
	/// whole on each change (never written through a link). The list itself is
	/// checked like every file jwtflow trusts: owned by the user (or root), not
	/// writable by group or others.
{
public:
	explicit DotEnvTrust(std::string listPath = defaultListPath());
		/// The list at listPath ("" when no folder can be named: nothing is trusted).

	static std::string defaultListPath();
		/// $XDG_CONFIG_HOME/jwtflow/trusted-env, else ~/.config/jwtflow/trusted-env
		/// (absolute paths only); "" when neither is set.

	const std::string& listPath() const;

	std::vector<TrustedDotEnv> list() const;
		/// The entries, in the order they were trusted. Throws InputException
		/// when the list cannot be read or is not safe (owner, mode).

	DotEnvTrustState check(const std::string& absolutePath, const std::string& content) const;
		/// Whether this file with these bytes is trusted.

	TrustedDotEnv trust(const std::string& path);
		/// Reads path (checked as readEnvFile does), and records its absolute
		/// path and SHA-256, replacing an earlier entry of the same path.
		/// Throws InputException (missing, unreadable, unsafe file; a path with
		/// a control character; no list folder) or UsageException (not a .env
		/// jwtflow can parse).

	void trustContent(const std::string& absolutePath, const std::string& content);
		/// Records a file jwtflow wrote itself (its bytes as written).

	bool revoke(const std::string& path);
		/// Removes path's entry; false when it had none.

private:
	void save(const std::vector<TrustedDotEnv>& entries) const;
	std::string _listPath;
};

JWTFLOW_API std::string absoluteDotEnvPath(const std::string& path);
	/// path made absolute, its folder's links resolved (realpath of the folder,
	/// then the file's own name). Throws InputException when the folder does not exist.

JWTFLOW_API std::string readEnvFile(const std::string& path);
	/// The text of a `.env` file, refused (InputException, exit 3) when it is
	/// missing, larger than 1 MiB, owned by another user than root or the
	/// caller, or writable by group or others: another user could have written
	/// what jwtflow would then send. An empty file is "" (it sets nothing).

} // namespace jwtflow

#endif // JWTFLOW_DOTENVTRUST_INCLUDED
