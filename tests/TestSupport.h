//
// TestSupport.h
//
// Tests: temporary folders, running programs (jwtflow, openssl, python3),
// and key material made at test time with the OpenSSL command line.
//
#ifndef JWTFLOW_TESTSUPPORT_INCLUDED
#define JWTFLOW_TESTSUPPORT_INCLUDED

#include <map>
#include <string>
#include <vector>

namespace testing_support {

class TempDir
	/// A fresh folder, removed with everything in it at the end of the test.
{
public:
	TempDir();
	~TempDir();
	const std::string& path() const { return _path; }
	std::string file(const std::string& name) const { return _path + "/" + name; }
	std::string write(const std::string& name, const std::string& content) const;

private:
	std::string _path;
};

struct RunResult
{
	int exitCode = -1;      /// the exit code, or -signal when killed by a signal
	std::string out;
	std::string err;
	long maxRssKiB = 0;     /// the child's peak resident memory (wait4's ru_maxrss)
};

RunResult run(const std::vector<std::string>& argv, const std::string& cwd = "",
	const std::map<std::string, std::string>& env = {}, const std::string& input = "");
	/// Runs a program with a clean environment (PATH, HOME and env only), an
	/// empty token cache (XDG_CACHE_HOME) and settings folder (XDG_CONFIG_HOME)
	/// of its own. Unless env names XDG_CONFIG_HOME, a .env in cwd is trusted
	/// in that settings folder first (as its content is now), standing for a
	/// user who ran `jwtflow trust` in a folder of their own; the trust tests
	/// give XDG_CONFIG_HOME to see jwtflow without it.

std::string jwtflowBinary();
	/// The jwtflow program under test: JWTFLOW_TEST_HOST when set (scripts/test.sh
	/// runs the suite again against the single-file build), else the build's own.

bool testingSingleExecutable();
	/// True when the program under test is the single-file jwtflow (no network
	/// module, no plugins.d of its own).

RunResult runJwtflow(const std::vector<std::string>& args, const std::string& cwd = "",
	const std::map<std::string, std::string>& env = {}, const std::string& input = "");
	/// Runs the built jwtflow with --plugins <build>/plugins.d prepended to args' options.

std::string readFile(const std::string& path);

RunResult runAtTerminal(const std::vector<std::string>& argv, const std::string& cwd, const std::map<std::string, std::string>& env,
	const std::string& prompt, const std::string& answer);
	/// Runs a program on a pseudo-terminal (Python's pty: standard input, output and
	/// error are the terminal), types answer and Enter once prompt appears, and
	/// returns everything the terminal showed in out (exitCode as run() gives it).

class OpenCounter
	/// Counts the opens of files by any process (inotify IN_OPEN), from its
	/// construction on: how many times jwtflow read a key, a passphrase or a PIN file.
{
public:
	explicit OpenCounter(const std::vector<std::string>& files);
	~OpenCounter();
	OpenCounter(const OpenCounter&) = delete;
	OpenCounter& operator=(const OpenCounter&) = delete;

	int opens(const std::string& file);
		/// The opens of file seen so far.

private:
	void drain();
	int _fd = -1;
	std::map<int, std::string> _watches;
	std::map<std::string, int> _counts;
};

std::string openssl(const std::vector<std::string>& args);
	/// Runs openssl; fails the test (throws) when it fails.

std::string python(const std::string& script, const std::vector<std::string>& args = {});
	/// Runs Debian's python3 (with python3-jwt) on a script; throws with stderr on failure.

struct TestKeys
	/// Keys made with the openssl command line in a folder.
{
	explicit TestKeys(const TempDir& dir);
	std::string rsaPkcs8, rsaPkcs1, rsaPublic, rsaCert, rsaCertDer, rsaDer;
	std::string ecPkcs8, ecSec1, ecPublic;
	std::string encryptedPkcs8;
	std::string passphrase = "correct horse battery staple 7f3a";
	std::string otherRsa, otherRsaCert, otherRsaPublic;
};

const TestKeys& sharedKeys();
	/// Keys made once per test run (RSA generation is slow).

std::string trim(const std::string& s);

} // namespace testing_support

#endif
