//
// HostileFilesystemTest.cpp: planted plugin folders and links, loose
// permissions, other owners, folders and FIFOs where files are expected, for
// the paths jwtflow reads and writes (issue 19: 1, 2, 3, 4, 5 and the
// permission checks of keys, passphrase files and caches).
//
#include "EmulatorSupport.h"
#include "TestSupport.h"
#include "jwtflow/Exception.h"
#include "jwtflow/PluginRegistry.h"
#include "jwtflow/SecureFiles.h"
#include "jwtflow/emulator/Emulator.h"
#include <Poco/File.h>
#include <Poco/Path.h>
#include <gtest/gtest.h>
#include <algorithm>
#include <sys/stat.h>
#include <unistd.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

const std::string SF_PLUGIN = std::string(JWTFLOW_PLUGIN_DIR) + "/jwtflow-provider-salesforce.so";

mode_t modeOf(const std::string& path)
{
	struct stat st{};
	::lstat(path.c_str(), &st);
	return st.st_mode & 07777;
}

bool isRoot() { return ::geteuid() == 0; }

void copyFile(const std::string& from, const std::string& to, mode_t mode)
{
	Poco::File(from).copyTo(to);
	::chmod(to.c_str(), mode);
}

void expectNoRawError(const RunResult& r)
{
	EXPECT_GE(r.exitCode, 0) << "killed by signal " << -r.exitCode << ": " << r.err;
	EXPECT_NE(r.exitCode, 134) << r.err;
	EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
	EXPECT_EQ(r.err.find("Exception"), std::string::npos) << r.err;
}

} // namespace

TEST(HostileFilesystem, AnInstalledJwtflowNeverLoadsPluginsFromTheCurrentFolder)
{
	TempDir work;
	// jwtflow on PATH, run by its bare name (argv[0] = "jwtflow").
	Poco::File(work.file("bin")).createDirectories();
	ASSERT_EQ(::symlink(jwtflowBinary().c_str(), work.file("bin/jwtflow").c_str()), 0);
	// A cloned repository with plugins.d/ and ../lib/jwtflow/plugins.d/ (relative to the current folder).
	const std::string repo = work.file("repo");
	for (const std::string& planted: {repo + "/plugins.d", work.file("lib/jwtflow/plugins.d")})
	{
		Poco::File(planted).createDirectories();
		copyFile(SF_PLUGIN, planted + "/evil.so", 0755);
		std::string desc = planted + "/evil.properties";
		FILE* f = std::fopen(desc.c_str(), "w");
		std::fputs("plugin.library = evil\nplugin.description = PLANTED PLUGIN\n", f);
		std::fclose(f);
	}
	RunResult r = run({"/bin/sh", "-c", "jwtflow providers; jwtflow evil jwt"}, repo,
		{{"PATH", work.file("bin") + ":/usr/bin:/bin"}});
	EXPECT_NE(r.out.find("salesforce"), std::string::npos) << "the install's own plugins are found: " << r.out << r.err;
	EXPECT_EQ(r.out.find("PLANTED"), std::string::npos) << r.out;
	EXPECT_EQ(r.err.find("evil.so"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("unknown provider 'evil'"), std::string::npos) << r.err;
	// Named by the user, the same folder is searched (made absolute once).
	RunResult named = run({work.file("bin/jwtflow"), "--plugins", "plugins.d", "providers"}, repo);
	EXPECT_NE(named.out.find("PLANTED"), std::string::npos) << named.out << named.err;
}

TEST(HostileFilesystem, AFolderOrFifoNamedLikeADescriptorIsRefusedNotSpunOn)
{
	TempDir plugins;
	Poco::File(plugins.file("x.properties")).createDirectories();
	ASSERT_EQ(::mkfifo(plugins.file("y.properties").c_str(), 0600), 0);
	plugins.write("big.properties", std::string(70 * 1024, '#'));
	RunResult version = runJwtflow({"--plugins", plugins.path(), "version"});
	EXPECT_EQ(version.exitCode, 0) << version.err;
	RunResult listing = runJwtflow({"--plugins", plugins.path(), "providers"});
	EXPECT_EQ(listing.exitCode, 0) << listing.err;
	EXPECT_NE(listing.err.find("x.properties: cannot read the plugin descriptor: it is not a regular file"), std::string::npos) << listing.err;
	EXPECT_NE(listing.err.find("y.properties: cannot read the plugin descriptor: it is not a regular file"), std::string::npos) << listing.err;
	EXPECT_NE(listing.err.find("larger than 64 KiB"), std::string::npos) << listing.err;
	EXPECT_NE(listing.out.find("salesforce"), std::string::npos) << "the others still work";
}

TEST(HostileFilesystem, LibrariesWhoseInitializersThrowOrCrashAreRefusedAndTheHostGoesOn)
{
	RunResult listing = runJwtflow({"--plugins", JWTFLOW_TEST_PLUGIN_DIR, "providers"});
	expectNoRawError(listing);
	EXPECT_EQ(listing.exitCode, 0) << listing.err;
	EXPECT_NE(listing.err.find("jwtflow-provider-initializer-throws.so"), std::string::npos) << listing.err;
	EXPECT_NE(listing.err.find("jwtflow-provider-initializer-crashes.so: it crashed while loading (signal "), std::string::npos) << listing.err;
	EXPECT_NE(listing.err.find("ABI version 999"), std::string::npos) << listing.err;
	EXPECT_NE(listing.err.find("not a jwtflow plugin"), std::string::npos) << listing.err;
	EXPECT_NE(listing.out.find("azure-ad"), std::string::npos);
	EXPECT_EQ(listing.out.find("initializer-crashes"), std::string::npos) << "a refused plugin is not listed as usable";
	for (const std::string provider: {"initializer-throws", "initializer-crashes"})
	{
		RunResult asked = runJwtflow({"--plugins", JWTFLOW_TEST_PLUGIN_DIR, provider, "jwt"});
		expectNoRawError(asked);
		EXPECT_EQ(asked.exitCode, 2) << asked.err;
		EXPECT_NE(asked.err.find("could not be loaded"), std::string::npos) << asked.err;
	}
	// A typo opens no library at all: the message comes from the descriptors.
	RunResult typo = runJwtflow({"--plugins", JWTFLOW_TEST_PLUGIN_DIR, "salesfroce", "jwt"});
	expectNoRawError(typo);
	EXPECT_EQ(typo.exitCode, 2);
	EXPECT_NE(typo.err.find("unknown provider 'salesfroce'"), std::string::npos) << typo.err;
	// And in-process, through the registry: loadAll survives them too.
	PluginRegistry registry({JWTFLOW_TEST_PLUGIN_DIR});
	registry.loadAll();
	bool crashed = false, threw = false;
	for (const auto& p: registry.problems())
	{
		if (p.path.find("initializer-crashes") != std::string::npos) crashed = p.message.find("crashed while loading") != std::string::npos;
		if (p.path.find("initializer-throws") != std::string::npos) threw = !p.message.empty();
	}
	EXPECT_TRUE(crashed);
	EXPECT_TRUE(threw);
}

TEST(HostileFilesystem, PluginFoldersAndLibrariesOthersCanChangeAreRefused)
{
	TempDir plugins;
	copyFile(SF_PLUGIN, plugins.file("jwtflow-provider-copy.so"), 0755);
	plugins.write("copy.properties", "plugin.library = jwtflow-provider-copy\nplugin.description = a copy\n");
	::chmod(plugins.path().c_str(), 0700);
	RunResult fine = runJwtflow({"--plugins", plugins.path(), "providers"});
	EXPECT_NE(fine.out.find("a copy"), std::string::npos) << fine.err;

	::chmod(plugins.file("jwtflow-provider-copy.so").c_str(), 0775);
	RunResult groupWritable = runJwtflow({"--plugins", plugins.path(), "providers"});
	EXPECT_NE(groupWritable.err.find("lets the group change it"), std::string::npos) << groupWritable.err;
	EXPECT_EQ(groupWritable.out.find("a copy"), std::string::npos);
	::chmod(plugins.file("jwtflow-provider-copy.so").c_str(), 0755);

	::chmod(plugins.path().c_str(), 0777);
	RunResult looseFolder = runJwtflow({"--plugins", plugins.path(), "providers"});
	EXPECT_NE(looseFolder.err.find("plugin folder refused"), std::string::npos) << looseFolder.err;
	EXPECT_NE(looseFolder.err.find("chmod go-w"), std::string::npos) << looseFolder.err;
	EXPECT_EQ(looseFolder.out.find("a copy"), std::string::npos);
	::chmod(plugins.path().c_str(), 0700);

	if (!isRoot()) GTEST_SKIP() << "changing a file's owner needs root";
	ASSERT_EQ(::chown(plugins.file("jwtflow-provider-copy.so").c_str(), 65534, 65534), 0);
	RunResult otherOwner = runJwtflow({"--plugins", plugins.path(), "providers"});
	EXPECT_NE(otherOwner.err.find("belongs to user id 65534"), std::string::npos) << otherOwner.err;
	EXPECT_EQ(otherOwner.out.find("a copy"), std::string::npos);
}

TEST(HostileFilesystem, KeyAndPassphraseFilesOthersCanReadOrOwnAreRefused)
{
	TempDir dir;
	const TestKeys& k = sharedKeys();
	const std::string key = dir.write("key.pem", readFile(k.rsaPkcs8));
	const std::string enc = dir.write("enc.pem", readFile(k.encryptedPkcs8));
	const std::string pass = dir.write("pass.txt", k.passphrase + "\n");
	const std::vector<std::string> base = {"salesforce", "jwt", "--client-id", "c", "--subject", "s"};
	auto jwt = [&](std::vector<std::string> more) {
		std::vector<std::string> args = base;
		args.insert(args.end(), more.begin(), more.end());
		return runJwtflow(args, dir.path());
	};
	EXPECT_EQ(jwt({"--private-key", key}).exitCode, 0);
	::chmod(key.c_str(), 0644);
	RunResult loose = jwt({"--private-key", key});
	EXPECT_EQ(loose.exitCode, 3) << loose.err;
	EXPECT_NE(loose.err.find("lets every user read it"), std::string::npos) << loose.err;
	EXPECT_NE(loose.err.find("chmod 600 " + key), std::string::npos) << loose.err;
	EXPECT_EQ(loose.err.find("-----BEGIN"), std::string::npos);
	::chmod(key.c_str(), 0640);
	EXPECT_NE(jwt({"--private-key", key}).err.find("lets the group read it"), std::string::npos);
	::chmod(key.c_str(), 0600);

	EXPECT_EQ(jwt({"--private-key", enc, "--passphrase-file", pass}).exitCode, 0);
	::chmod(pass.c_str(), 0644);
	RunResult loosePass = jwt({"--private-key", enc, "--passphrase-file", pass});
	EXPECT_EQ(loosePass.exitCode, 3) << loosePass.err;
	EXPECT_NE(loosePass.err.find("refusing passphrase file"), std::string::npos) << loosePass.err;
	EXPECT_EQ(loosePass.err.find(k.passphrase), std::string::npos);
	::chmod(pass.c_str(), 0600);

	if (!isRoot()) GTEST_SKIP() << "changing a file's owner needs root";
	ASSERT_EQ(::chown(key.c_str(), 65534, 65534), 0);
	RunResult other = jwt({"--private-key", key});
	EXPECT_EQ(other.exitCode, 3) << other.err;
	EXPECT_NE(other.err.find("belongs to user id 65534"), std::string::npos) << other.err;
}

TEST(HostileFilesystem, FilesAreCreatedFreshNeverThroughAPlantedLink)
{
	TempDir dir;
	const std::string victim = dir.write("victim.txt", "precious");
	ASSERT_EQ(::symlink(victim.c_str(), dir.file("link.pem").c_str()), 0);
	EXPECT_THROW(writeNewFile(dir.file("link.pem"), "attacker-readable secret", 0600), InputException);
	EXPECT_EQ(readFile(victim), "precious") << "the link was not followed";
	EXPECT_THROW(writeNewFile(victim, "x", 0600), InputException) << "an existing file is never reused";
	// replaceFile replaces the link itself, leaving its target alone.
	replaceFile(dir.file("link.pem"), "new", 0600);
	EXPECT_EQ(readFile(victim), "precious");
	EXPECT_EQ(readFile(dir.file("link.pem")), "new");
	EXPECT_EQ(modeOf(dir.file("link.pem")), 0600u);
	// The final mode at creation, whatever the umask.
	const mode_t old = ::umask(0);
	writeNewFile(dir.file("secret.pem"), "s", 0600);
	::umask(old);
	EXPECT_EQ(modeOf(dir.file("secret.pem")), 0600u);

	std::string first, second;
	{
		PrivateTempDir a("jwtflow-test"), b("jwtflow-test");
		first = a.path();
		second = b.path();
		EXPECT_NE(first, second);
		EXPECT_EQ(modeOf(first), 0700u);
		EXPECT_EQ(first.find("/tmp/tmp"), std::string::npos) << "not POCO's guessable TemporaryFile name";
	}
	EXPECT_FALSE(Poco::File(first).exists()) << "removed with its files";
}

TEST(HostileFilesystem, TheEmulatorRefusesAPlantedOrLooseWorkFolder)
{
	TempDir dir;
	TempDir elsewhere;
	ASSERT_EQ(::symlink(elsewhere.path().c_str(), dir.file("emu").c_str()), 0);
	emulator::EmulatorOptions options;
	options.workDir = dir.file("emu");
	emulator::Emulator linked(options);
	try
	{
		linked.start();
		FAIL() << "a link where the folder should be is refused";
	}
	catch (const InputException& e)
	{
		EXPECT_NE(e.message().find("not a folder"), std::string::npos) << e.message();
	}
	EXPECT_FALSE(Poco::File(elsewhere.file("emulator-server-key.pem")).exists());

	Poco::File(dir.file("open")).createDirectories();
	::chmod(dir.file("open").c_str(), 0777);
	options.workDir = dir.file("open");
	emulator::Emulator loose(options);
	EXPECT_THROW(loose.start(), InputException);

	// Without a folder, it makes a fresh one (mkdtemp); the server key, written 0600, is gone once loaded.
	emulator::EmulatorOptions own;
	emulator::Emulator fresh(own);
	fresh.start();
	const std::string folder = Poco::Path(fresh.caFile()).parent().toString();
	EXPECT_EQ(modeOf(folder), 0700u) << fresh.caFile() << " in " << folder;
	EXPECT_FALSE(Poco::File(folder + "emulator-server-key.pem").exists());
	EXPECT_EQ(modeOf(fresh.caFile()), 0644u);
}

TEST(HostileFilesystem, DotEnvErrorsNeverShowTheLineText)
{
	TempDir dir;
	dir.write(".env", "CLIENT_ID=c\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nSUBJECT=s\n");
	RunResult r = runJwtflow({"salesforce", "jwt"}, dir.path());
	EXPECT_EQ(r.exitCode, 2) << r.err;
	EXPECT_NE(r.err.find(".env:2: the line has no '='"), std::string::npos) << r.err;
	EXPECT_EQ(r.err.find("MIIEvQ"), std::string::npos) << r.err;
	dir.write(".env", "PASSWORD=\"s3cr3t-passphrase-value\" trailing-s3cr3t\n");
	RunResult quoted = runJwtflow({"salesforce", "jwt"}, dir.path());
	EXPECT_EQ(quoted.exitCode, 2);
	EXPECT_EQ(quoted.err.find("s3cr3t"), std::string::npos) << quoted.err;
	dir.write(".env", "=MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw\n");
	RunResult noName = runJwtflow({"salesforce", "jwt"}, dir.path());
	EXPECT_EQ(noName.exitCode, 2);
	EXPECT_EQ(noName.err.find("MIIEvQ"), std::string::npos) << noName.err;
}

TEST(HostileFilesystem, AFullPluginsCheckedFileStillRemembersTheNewestPass)
{
	// Once it held 256 lines the file was read no further and only grew: nothing new was
	// ever found in it again, so every start probed its plugin in a child process.
	TempDir cache, plugins;
	copyFile(SF_PLUGIN, plugins.file("jwtflow-provider-copy.so"), 0755);
	plugins.write("copy.properties", "plugin.library = jwtflow-provider-copy\nplugin.description = a copy\n");
	Poco::File(cache.file("jwtflow")).createDirectories();
	::chmod(cache.file("jwtflow").c_str(), 0700);
	std::string full;
	for (int i = 0; i < 300; ++i) full += "0:0:0:0 1 " + std::to_string(i) + " 1 1.1 1.1 /gone/lib" + std::to_string(i) + ".so\n";
	const std::string file = cache.write("jwtflow/plugins-checked", full);
	::chmod(file.c_str(), 0600);
	const std::map<std::string, std::string> env = {{"XDG_CACHE_HOME", cache.path()}};
	RunResult first = runJwtflow({"--plugins", plugins.path(), "providers"}, "", env);
	EXPECT_EQ(first.exitCode, 0) << first.err;
	const std::string after = readFile(file);
	EXPECT_LE(std::count(after.begin(), after.end(), '\n'), 256) << "bounded";
	EXPECT_NE(after.find(plugins.file("jwtflow-provider-copy.so")), std::string::npos) << "the newest pass is kept";
	EXPECT_EQ(after.find("/gone/lib0.so"), std::string::npos) << "the oldest are dropped";
	// Remembered: a second start finds its line and writes nothing.
	RunResult second = runJwtflow({"--plugins", plugins.path(), "providers"}, "", env);
	EXPECT_EQ(second.exitCode, 0) << second.err;
	EXPECT_EQ(readFile(file), after);
}

TEST(HostileFilesystem, LibrariesThatPassedTheChildProcessCheckAreRememberedUntilTheyChange)
{
	TempDir cache, plugins;
	copyFile(SF_PLUGIN, plugins.file("jwtflow-provider-copy.so"), 0755);
	plugins.write("copy.properties", "plugin.library = jwtflow-provider-copy\nplugin.description = a copy\n");
	const std::map<std::string, std::string> env = {{"XDG_CACHE_HOME", cache.path()}};
	RunResult first = runJwtflow({"--plugins", plugins.path(), "--plugins", JWTFLOW_TEST_PLUGIN_DIR, "providers"}, "", env);
	EXPECT_EQ(first.exitCode, 0) << first.err;
	const std::string file = cache.file("jwtflow/plugins-checked");
	ASSERT_TRUE(Poco::File(file).exists());
	EXPECT_EQ(modeOf(file), 0600u);
	EXPECT_EQ(modeOf(cache.file("jwtflow")), 0700u);
	const std::string remembered = readFile(file);
	EXPECT_NE(remembered.find(plugins.file("jwtflow-provider-copy.so")), std::string::npos) << remembered;
	EXPECT_EQ(remembered.find("initializer-crashes"), std::string::npos) << "only libraries that passed are remembered";
	EXPECT_EQ(remembered.find("other-abi"), std::string::npos);
	// A changed library is checked again: its line is replaced, not kept.
	::chmod(plugins.file("jwtflow-provider-copy.so").c_str(), 0700);
	RunResult again = runJwtflow({"--plugins", plugins.path(), "providers"}, "", env);
	EXPECT_NE(again.out.find("a copy"), std::string::npos) << again.err;
	const std::string after = readFile(file);
	EXPECT_NE(after, remembered);
	EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), std::count(remembered.begin(), remembered.end(), '\n'));
	// And the crashing library is still refused, run after run.
	RunResult crash = runJwtflow({"--plugins", JWTFLOW_TEST_PLUGIN_DIR, "initializer-crashes", "jwt"}, "", env);
	EXPECT_EQ(crash.exitCode, 2);
	EXPECT_NE(crash.err.find("crashed while loading"), std::string::npos) << crash.err;
}
