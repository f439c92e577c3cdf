//
// TestSupport.cpp
//
#include "TestSupport.h"
#include "jwtflow/DotEnvTrust.h"
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace testing_support {

TempDir::TempDir()
{
	char tmpl[] = "/tmp/jwtflow-test-XXXXXX";
	char* p = ::mkdtemp(tmpl);
	if (!p) throw std::runtime_error("mkdtemp failed");
	_path = p;
}

TempDir::~TempDir()
{
	try
	{
		Poco::File(_path).remove(true);
	}
	catch (...)
	{
	}
}

std::string TempDir::write(const std::string& name, const std::string& content) const
{
	// 0600 like every file jwtflow itself writes: keys written here pass its
	// permission checks (tests of loose modes chmod on purpose).
	std::string path = file(name);
	int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) throw std::runtime_error("cannot write " + path);
	std::size_t done = 0;
	while (done < content.size())
	{
		ssize_t n = ::write(fd, content.data() + done, content.size() - done);
		if (n <= 0) break;
		done += static_cast<std::size_t>(n);
	}
	::close(fd);
	return path;
}

std::string readFile(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	std::ostringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

RunResult run(const std::vector<std::string>& argv, const std::string& cwd,
	const std::map<std::string, std::string>& env, const std::string& input)
{
	TempDir io;
	const std::string outPath = io.file("out"), errPath = io.file("err"), inPath = io.write("in", input);
	// Everything the child needs is made before fork: the test process has threads
	// (servers, proxies), and one of them may hold the allocator's lock at the fork,
	// so the child must not allocate (it hung in the sanitizer build under load).
	std::map<std::string, std::string> vars = {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
		{"HOME", std::getenv("HOME") ? std::getenv("HOME") : "/tmp"}};
	// The sanitizer build's options (the leak suppressions for OpenSSL's and the PKCS#11 module's
	// process-wide tables) reach the programs the tests run.
	for (const char* name: {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"})
		if (const char* value = std::getenv(name)) vars[name] = value;
	// Each run gets an empty token cache of its own unless the test names one.
	vars["XDG_CACHE_HOME"] = io.file("cache");
	vars["XDG_CONFIG_HOME"] = io.file("config");
	if (!env.count("XDG_CONFIG_HOME") && !cwd.empty() && Poco::File(cwd + "/.env").exists())
	{
		// The user trusted the .env of the folder they run jwtflow in (jwtflow trust).
		jwtflow::DotEnvTrust(io.file("config") + "/jwtflow/trusted-env")
			.trustContent(jwtflow::absoluteDotEnvPath(cwd + "/.env"), readFile(cwd + "/.env"));
	}
	for (const auto& e: env) vars[e.first] = e.second;   // env replaces the defaults
	std::vector<std::string> envStrings;
	for (const auto& v: vars) envStrings.push_back(v.first + "=" + v.second);
	std::vector<char*> envp;
	for (auto& e: envStrings) envp.push_back(&e[0]);
	envp.push_back(nullptr);
	std::vector<std::string> args = argv;
	std::vector<char*> cargs;
	for (auto& a: args) cargs.push_back(&a[0]);
	cargs.push_back(nullptr);
	pid_t pid = ::fork();
	if (pid < 0) throw std::runtime_error("fork failed");
	if (pid == 0)
	{
		if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) _exit(126);
		int in = ::open(inPath.c_str(), O_RDONLY);
		int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		::dup2(in, 0);
		::dup2(out, 1);
		::dup2(err, 2);
		::execve(cargs[0], cargs.data(), envp.data());
		_exit(127);
	}
	int status = 0;
	struct rusage usage{};
	::wait4(pid, &status, 0, &usage);
	RunResult r;
	r.maxRssKiB = usage.ru_maxrss;
	r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	r.out = readFile(outPath);
	r.err = readFile(errPath);
	return r;
}

OpenCounter::OpenCounter(const std::vector<std::string>& files)
{
	_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (_fd < 0) throw std::runtime_error("inotify_init1 failed");
	for (const auto& f: files)
	{
		const int wd = ::inotify_add_watch(_fd, f.c_str(), IN_OPEN);
		if (wd < 0) throw std::runtime_error("cannot watch " + f);
		_watches[wd] = f;
		_counts[f] = 0;
	}
}

OpenCounter::~OpenCounter()
{
	if (_fd >= 0) ::close(_fd);
}

void OpenCounter::drain()
{
	alignas(struct inotify_event) char buf[4096];
	for (;;)
	{
		const ssize_t n = ::read(_fd, buf, sizeof buf);
		if (n <= 0) return;
		for (ssize_t at = 0; at < n;)
		{
			const auto* e = reinterpret_cast<const struct inotify_event*>(buf + at);
			if (e->mask & IN_OPEN) ++_counts[_watches[e->wd]];
			at += static_cast<ssize_t>(sizeof(struct inotify_event) + e->len);
		}
	}
}

int OpenCounter::opens(const std::string& file)
{
	drain();
	return _counts[file];
}

RunResult runAtTerminal(const std::vector<std::string>& argv, const std::string& cwd, const std::map<std::string, std::string>& env,
	const std::string& prompt, const std::string& answer)
{
	static const char* const script = R"(
import os, pty, select, sys, time
prompt, answer = sys.argv[1].encode(), sys.argv[2].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[3], sys.argv[3:])
shown, typed, end = b"", False, time.time() + 60
while time.time() < end:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        shown += data
    if not typed and prompt in shown:
        time.sleep(0.2)   # the program turns echo off after writing its prompt
        os.write(fd, answer + b"\n")
        typed = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(shown)
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 99)
)";
	TempDir dir;
	const std::string path = dir.write("terminal.py", script);
	std::vector<std::string> all = {JWTFLOW_TEST_PYTHON, path, prompt, answer};
	all.insert(all.end(), argv.begin(), argv.end());
	return run(all, cwd, env);
}

std::string jwtflowBinary()
{
	const char* host = std::getenv("JWTFLOW_TEST_HOST");
	return host && *host ? std::string(host) : std::string(JWTFLOW_BINARY);
}

bool testingSingleExecutable()
{
	const char* host = std::getenv("JWTFLOW_TEST_HOST");
	return host && *host;
}

RunResult runJwtflow(const std::vector<std::string>& args, const std::string& cwd,
	const std::map<std::string, std::string>& env, const std::string& input)
{
	std::vector<std::string> argv = {jwtflowBinary()};
	argv.insert(argv.end(), args.begin(), args.end());
	return run(argv, cwd, env, input);
}

std::string openssl(const std::vector<std::string>& args)
{
	std::vector<std::string> argv = {JWTFLOW_TEST_OPENSSL};
	argv.insert(argv.end(), args.begin(), args.end());
	RunResult r = run(argv);
	if (r.exitCode != 0) throw std::runtime_error("openssl failed: " + r.err);
	return r.out;
}

std::string python(const std::string& script, const std::vector<std::string>& args)
{
	TempDir dir;
	std::string path = dir.write("check.py", script);
	std::vector<std::string> argv = {JWTFLOW_TEST_PYTHON, path};
	argv.insert(argv.end(), args.begin(), args.end());
	RunResult r = run(argv);
	if (r.exitCode != 0) throw std::runtime_error("python failed (" + std::to_string(r.exitCode) + "): " + r.err + r.out);
	return r.out;
}

TestKeys::TestKeys(const TempDir& dir)
{
	rsaPkcs8 = dir.file("rsa.pem");
	openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsaPkcs8});
	rsaPkcs1 = dir.file("rsa-pkcs1.pem");
	openssl({"rsa", "-in", rsaPkcs8, "-traditional", "-out", rsaPkcs1});
	rsaPublic = dir.file("rsa-public.pem");
	openssl({"pkey", "-in", rsaPkcs8, "-pubout", "-out", rsaPublic});
	rsaDer = dir.file("rsa.der");
	openssl({"pkcs8", "-topk8", "-nocrypt", "-in", rsaPkcs8, "-outform", "DER", "-out", rsaDer});
	rsaCert = dir.file("rsa-cert.pem");
	openssl({"req", "-x509", "-new", "-key", rsaPkcs8, "-subj", "/CN=jwtflow test", "-days", "2", "-out", rsaCert});
	rsaCertDer = dir.file("rsa-cert.der");
	openssl({"x509", "-in", rsaCert, "-outform", "DER", "-out", rsaCertDer});
	ecPkcs8 = dir.file("ec.pem");
	openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ecPkcs8});
	ecSec1 = dir.file("ec-sec1.pem");
	openssl({"ec", "-in", ecPkcs8, "-out", ecSec1});
	ecPublic = dir.file("ec-public.pem");
	openssl({"pkey", "-in", ecPkcs8, "-pubout", "-out", ecPublic});
	encryptedPkcs8 = dir.file("rsa-encrypted.pem");
	openssl({"pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", rsaPkcs8, "-passout", "pass:" + passphrase, "-out", encryptedPkcs8});
	otherRsa = dir.file("other.pem");
	openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", otherRsa});
	otherRsaCert = dir.file("other-cert.pem");
	openssl({"req", "-x509", "-new", "-key", otherRsa, "-subj", "/CN=other", "-days", "2", "-out", otherRsaCert});
	otherRsaPublic = dir.file("other-public.pem");
	openssl({"pkey", "-in", otherRsa, "-pubout", "-out", otherRsaPublic});
}

const TestKeys& sharedKeys()
{
	static TempDir dir;
	static TestKeys keys(dir);
	return keys;
}

std::string trim(const std::string& s)
{
	auto b = s.find_first_not_of(" \r\n\t");
	auto e = s.find_last_not_of(" \r\n\t");
	return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

} // namespace testing_support
