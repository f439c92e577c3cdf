//
// SecureFiles.h
//
// Library: jwtflow core
// Files jwtflow writes are created fresh (O_CREAT|O_EXCL|O_NOFOLLOW, final mode
// at creation), temporary folders come from mkdtemp, and files it trusts (keys,
// passphrase and PIN files, caches, plugins) are checked for their owner and
// loose permissions, as ssh does.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_SECUREFILES_INCLUDED
#define JWTFLOW_SECUREFILES_INCLUDED

#include "jwtflow/Export.h"
#include <string>
#include <sys/types.h>

namespace jwtflow {

class JWTFLOW_API PrivateTempDir
	/// A fresh folder from mkdtemp (mode 0700, a name nobody can guess),
	/// removed with everything in it when destroyed. Lives under $TMPDIR
	/// (when it is an absolute path) or /tmp.
{
public:
	explicit PrivateTempDir(const std::string& prefix = "jwtflow");
		/// Throws InputException when no folder can be made.

	~PrivateTempDir();

	PrivateTempDir(const PrivateTempDir&) = delete;
	PrivateTempDir& operator=(const PrivateTempDir&) = delete;

	const std::string& path() const { return _path; }
		/// The folder, without a trailing slash.

	std::string file(const std::string& name) const { return _path + "/" + name; }
		/// A path inside the folder.

	void keep() { _keep = true; }
		/// Do not remove the folder when destroyed.

private:
	std::string _path;
	bool _keep = false;
};

JWTFLOW_API void writeNewFile(const std::string& path, const std::string& data, mode_t mode);
	/// Creates path with O_CREAT|O_EXCL|O_NOFOLLOW and its final mode, writes
	/// data and syncs. Fails, and never follows a link or reuses a file, when
	/// anything already exists at path. Throws InputException naming the path.

JWTFLOW_API void replaceFile(const std::string& path, const std::string& data, mode_t mode);
	/// Writes a fresh file beside path (random name, as writeNewFile) and
	/// renames it over path: readers see the old or the new file, never a
	/// half-written one, and a link planted at path is replaced, not followed.

enum class TrustedFileKind
	/// What a file is trusted for, which decides the permissions accepted.
{
	Secret,   ///< a private key, passphrase or PIN file: no group or world access at all
	Content,  ///< a cache or descriptor: not writable by group or others
	Code      ///< a plugin library or folder: not writable by group or others
};

JWTFLOW_API void checkTrustedFile(const std::string& path, const std::string& what, TrustedFileKind kind);
	/// Refuses (InputException, exit 3) a file that is owned by another user
	/// than root or the caller, or whose mode gives group or others more than
	/// kind allows, with the chmod/chown that fixes it. Follows links (the
	/// target is checked). Does nothing for a path that does not exist.

JWTFLOW_API std::string readTextFile(const std::string& path, const std::string& what, std::size_t maxBytes = 1024 * 1024);
	/// A whole file that is not a secret (a CA bundle, a configuration file).
	/// Throws InputException "cannot read <what> '<path>': <reason>" when it is
	/// missing, a folder, unreadable, empty or larger than maxBytes.

JWTFLOW_API std::string readSecretLine(const std::string& path, const std::string& what);
	/// The first line of a file that holds one secret (a passphrase, a PIN, a
	/// password), without its CR/LF. The file is checked as a Secret first
	/// ("refusing <what> ..."), read whole up to 64 KiB, and the rest of its text
	/// is wiped from memory. Throws InputException naming `what` ("the PIN file
	/// (PKCS11_PIN_FILE)", say) and the path when it is missing, unreadable,
	/// empty or its first line is; never with the secret in the message.

JWTFLOW_API void checkTrustedFolder(const std::string& path, const std::string& what);
	/// As checkTrustedFile for a folder: owner root or the caller, not
	/// writable by group or others (the sticky /tmp is refused too).

JWTFLOW_API std::string checkTrustedLibrary(const std::string& path, const std::string& what);
	/// The rules a plugin passes, for any other code jwtflow is asked to load
	/// (PKCS11_MODULE), from whichever settings layer it came: an existing
	/// regular file, owned by root or the caller and not writable by group or
	/// others, in a folder of which the same holds. Returns the resolved path
	/// (links followed) to load, so that what was checked is what is loaded.
	/// Throws InputException (exit 3) "refusing <what> '<path>': <reason>".

JWTFLOW_API bool makePrivateFolders(const std::string& path);
	/// Makes path and every missing parent with mode 0700 (mkdir -p); true when
	/// the last level was made now. Throws InputException naming the level that
	/// cannot be made. Existing levels are left as they are: check them.

JWTFLOW_API std::string userCacheFolder(const std::string& name);
	/// $XDG_CACHE_HOME/jwtflow/<name>, else ~/.cache/jwtflow/<name> (absolute
	/// paths only); "" when neither is set.

JWTFLOW_API std::string userConfigFile(const std::string& name);
	/// $XDG_CONFIG_HOME/jwtflow/<name>, else ~/.config/jwtflow/<name> (absolute
	/// paths only); "" when neither is set.

JWTFLOW_API std::string trustProblem(const std::string& path, TrustedFileKind kind, bool folder);
	/// The reason checkTrustedFile / checkTrustedFolder would refuse, or "" when trusted.

} // namespace jwtflow

#endif // JWTFLOW_SECUREFILES_INCLUDED
