//
// Profiles.h
//
// Library: jwtflow core (settings)
// Named sets of settings a user logs in with once and uses from any folder
// (`jwtflow PROVIDER login --profile NAME`, then `-p NAME`): one `.env`-format
// file per profile in $XDG_CONFIG_HOME/jwtflow/profiles (0600 in a 0700
// folder), holding where things live (absolute paths), never a token, a
// passphrase or a PIN.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_PROFILES_INCLUDED
#define JWTFLOW_PROFILES_INCLUDED

#include "jwtflow/Export.h"
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jwtflow {

struct JWTFLOW_API Profile
{
	std::string name;
	std::string provider;                        /// the provider it logs in with (JWTFLOW_PROVIDER in the file)
	std::map<std::string, std::string> settings; /// by setting name
	std::string path;                            /// its file
	bool isDefault = false;                      /// the provider's default profile
};

class JWTFLOW_API ProfileStore
	/// The profiles folder.
{
public:
	explicit ProfileStore(std::string folder = defaultFolder());
	static std::string defaultFolder();
		/// $XDG_CONFIG_HOME/jwtflow/profiles, else ~/.config/jwtflow/profiles; "" when neither can be named.
	const std::string& folder() const;

	static void checkName(const std::string& name);
		/// Letters, digits, '.', '_' and '-', 1 to 64, not starting with '.' or '-':
		/// UsageException otherwise.

	std::string pathOf(const std::string& name) const;
	bool exists(const std::string& name) const;
	Profile read(const std::string& name) const;
		/// Throws UsageException for a profile that does not exist (naming `profile list`),
		/// InputException for a file that cannot be read or is not safe (owner, mode).
	std::vector<Profile> list() const;
		/// Every profile, by name; a file that cannot be read is left out.
	void write(const Profile& profile) const;
		/// Creates the folder (0700) and replaces the file whole (0600, never through a link).
	bool remove(const std::string& name) const;
		/// false when there was none; the default mark goes with it.
	void setDefault(const std::string& provider, const std::string& name) const;
	std::optional<std::string> defaultFor(const std::string& provider) const;
		/// The provider's default profile, when one is marked and still exists.

private:
	std::string _folder;
};

JWTFLOW_API std::string dotEnvLine(const std::string& name, const std::string& value);
	/// NAME='value' (or "value" with escapes when it holds a quote or a newline): a line parseDotEnv reads back.

} // namespace jwtflow

#endif // JWTFLOW_PROFILES_INCLUDED
