//
// TokenStoreTest.cpp: the token stores of issue 15's cache: sealing
// (cross-checked with python's cryptography: HKDF-SHA256 + AES-256-GCM),
// file permissions and ownership, links, other keys, corruption, expiry,
// and a lock that two processes race for.
//
#include "TestSupport.h"
#include "jwtflow/Encoding.h"
#include "jwtflow/KeyFactory.h"
#include "jwtflow/TokenStore.h"
#include "jwtflow/LoginIdentity.h"
#include "jwtflow/TokenStoreFactory.h"
#include "jwtflow/Exception.h"
#include <Poco/File.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace jwtflow;
using namespace testing_support;

namespace {

const std::string TOKEN = "00D000000000001!PLANTED.access.token.value";

std::shared_ptr<const TokenSealer> sealerFor(const std::string& keyFile)
{
	return std::make_shared<TokenSealer>(PrivateKey::fromFile(keyFile));
}

StoredToken token(Poco::Int64 expiresIn = 600)
{
	StoredToken t;
	t.accessToken = TOKEN;
	t.responseJson = "{\"instance_url\":\"https://x.my.salesforce.com\"}";
	t.expiresAt = Poco::Timestamp().epochTime() + expiresIn;
	return t;
}

mode_t modeOf(const std::string& path)
{
	struct stat st{};
	::lstat(path.c_str(), &st);
	return st.st_mode & 07777;
}

const char* PY_OPEN = R"(
import base64, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
keyfile, cachekey, sealed = sys.argv[1], sys.argv[2].encode(), base64.b64decode(sys.argv[3])
key = serialization.load_pem_private_key(open(keyfile, 'rb').read(), password=None)
der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
aes = HKDF(algorithm=hashes.SHA256(), length=32, salt=b'jwtflow token cache v1', info=cachekey).derive(der)
print(AESGCM(aes).decrypt(sealed[:12], sealed[12:], cachekey).decode())
)";

} // namespace

TEST(TokenStore, SealingIsHkdfSha256AndAes256GcmAsPythonCryptographyReadsIt)
{
	const std::string keyFile = sharedKeys().rsaPkcs8;
	TokenSealer sealer(PrivateKey::fromFile(keyFile));
	const std::string key = cacheKey({{"provider", "salesforce"}, {"client_id", "3MVG9x"}, {"subject", "u@example.com"}});
	const std::string sealed = sealer.seal(key, "{\"access_token\":\"" + TOKEN + "\"}");
	EXPECT_EQ(sealed.find(TOKEN), std::string::npos);
	EXPECT_EQ(trim(python(PY_OPEN, {keyFile, key, base64Encode(sealed)})), "{\"access_token\":\"" + TOKEN + "\"}");
	EXPECT_EQ(sealer.open(key, sealed), std::optional<std::string>("{\"access_token\":\"" + TOKEN + "\"}"));
	EXPECT_FALSE(sealer.open(key + "x", sealed)) << "bound to its cache key";
	std::string altered = sealed;
	altered[20] ^= 1;
	EXPECT_FALSE(sealer.open(key, altered));
	EXPECT_FALSE(TokenSealer(PrivateKey::fromFile(sharedKeys().otherRsa)).open(key, sealed)) << "another key learns nothing";
	EXPECT_NE(sealer.seal(key, "x"), sealer.seal(key, "x")) << "a fresh nonce each time";
	EXPECT_EQ(cacheKey({{"b", "2"}, {"a", "1"}}), cacheKey({{"a", "1"}, {"b", "2"}}));
	EXPECT_NE(cacheKey({{"a", "1"}}), cacheKey({{"a", "2"}}));
}

TEST(TokenStore, FilesAreSealed0600InA0700FolderAndOpenOnlyWithTheirKey)
{
	TempDir dir;
	const std::string folder = dir.file("cache/jwtflow/tokens");
	FileTokenStore store(folder, sealerFor(sharedKeys().rsaPkcs8));
	const std::string key = cacheKey({{"provider", "salesforce"}});
	EXPECT_FALSE(store.get(key));
	store.put(key, token());
	ASSERT_TRUE(Poco::File(store.fileFor(key)).exists());
	EXPECT_EQ(modeOf(folder), 0700u);
	EXPECT_EQ(modeOf(store.fileFor(key)), 0600u);
	EXPECT_EQ(readFile(store.fileFor(key)).find(TOKEN), std::string::npos) << "sealed on disk";
	auto got = store.get(key);
	ASSERT_TRUE(got);
	EXPECT_EQ(got->accessToken, TOKEN);
	EXPECT_EQ(got->responseJson, token().responseJson);
	// The same file read with another signing key: nothing.
	std::vector<std::string> notes;
	FileTokenStore other(folder, sealerFor(sharedKeys().otherRsa), [&](const std::string& n) { notes.push_back(n); });
	EXPECT_FALSE(other.get(key));
	ASSERT_FALSE(notes.empty());
	EXPECT_NE(notes.back().find("does not open with this key"), std::string::npos);
	// A corrupted file is ignored and replaced by the next put.
	std::string text = readFile(store.fileFor(key));
	text[text.size() / 2] = text[text.size() / 2] == 'A' ? 'B' : 'A';
	::unlink(store.fileFor(key).c_str());
	dir.write("cache/jwtflow/tokens/" + store.fileFor(key).substr(folder.size() + 1), text);
	EXPECT_FALSE(store.get(key));
	store.put(key, token());
	EXPECT_TRUE(store.get(key));
	store.remove(key);
	EXPECT_FALSE(Poco::File(store.fileFor(key)).exists());
}

TEST(TokenStore, ExpiredTokensAreNotHandedOut)
{
	TempDir dir;
	FileTokenStore store(dir.file("t"), sealerFor(sharedKeys().rsaPkcs8));
	MemoryTokenStore memory;
	const std::string key = cacheKey({{"k", "v"}});
	for (TokenStore* s: std::vector<TokenStore*>{&store, &memory})
	{
		s->put(key, token(100));
		EXPECT_TRUE(s->get(key));
		s->setClock([] { return Poco::Timestamp() + 101LL * 1000000; });
		EXPECT_FALSE(s->get(key));
	}
}

TEST(TokenStore, LooseFoldersLinksAndOtherOwnersAreRefusedNotFollowed)
{
	TempDir dir;
	const std::string key = cacheKey({{"k", "v"}});
	// A world-writable folder: nothing is read or written there.
	Poco::File(dir.file("open")).createDirectories();
	::chmod(dir.file("open").c_str(), 0777);
	FileTokenStore loose(dir.file("open"), sealerFor(sharedKeys().rsaPkcs8));
	loose.put(key, token());
	EXPECT_FALSE(Poco::File(loose.fileFor(key)).exists());
	EXPECT_NE(loose.problem().find("refused"), std::string::npos) << loose.problem();
	// The folder is a link: refused.
	TempDir elsewhere;
	::chmod(elsewhere.path().c_str(), 0700);
	ASSERT_EQ(::symlink(elsewhere.path().c_str(), dir.file("linked").c_str()), 0);
	FileTokenStore linked(dir.file("linked"), sealerFor(sharedKeys().rsaPkcs8));
	linked.put(key, token());
	EXPECT_NE(linked.problem().find("not a folder"), std::string::npos) << linked.problem();
	// The file is a link to a file the attacker reads: not followed on read or write.
	FileTokenStore store(dir.file("ok"), sealerFor(sharedKeys().rsaPkcs8));
	EXPECT_FALSE(store.get(key));   // makes the folder
	const std::string victim = dir.write("victim", "precious");
	ASSERT_EQ(::symlink(victim.c_str(), store.fileFor(key).c_str()), 0);
	EXPECT_FALSE(store.get(key));
	store.put(key, token());
	EXPECT_EQ(readFile(victim), "precious") << "the link was replaced, not written through";
	EXPECT_TRUE(store.get(key));
	if (::geteuid() != 0) GTEST_SKIP() << "changing owners needs root";
	ASSERT_EQ(::chown(store.fileFor(key).c_str(), 65534, 65534), 0);
	EXPECT_FALSE(store.get(key)) << "a file another user owns is not trusted";
	ASSERT_EQ(::chown(dir.file("ok").c_str(), 65534, 65534), 0);
	store.put(key, token());
	EXPECT_NE(store.problem().find("belongs to user id 65534"), std::string::npos) << store.problem();
}

TEST(TokenStore, OneProcessHoldsTheLoginLockAtATime)
{
	TempDir dir;
	FileTokenStore store(dir.file("t"), sealerFor(sharedKeys().rsaPkcs8));
	const std::string key = cacheKey({{"k", "v"}});
	ASSERT_TRUE(store.tryLock(key));
	EXPECT_FALSE(store.tryLock(key)) << "not twice in one process either";
	// Another process (its own store on the same folder) cannot take it while we hold it...
	auto childTries = [&]() {
		pid_t pid = ::fork();
		if (pid == 0)
		{
			FileTokenStore mine(dir.file("t"), sealerFor(sharedKeys().rsaPkcs8));
			::_exit(mine.tryLock(key) ? 0 : 1);
		}
		int status = 0;
		::waitpid(pid, &status, 0);
		return WIFEXITED(status) && WEXITSTATUS(status) == 0;
	};
	EXPECT_FALSE(childTries());
	store.unlock(key);
	EXPECT_TRUE(childTries()) << "...and can once it is released";
	MemoryTokenStore memory;
	EXPECT_TRUE(memory.tryLock(key));
	EXPECT_FALSE(memory.tryLock(key));
	memory.unlock(key);
	EXPECT_TRUE(memory.tryLock(key));
}

TEST(TokenStoreFactory, OneParserForEveryStoreWord)
{
	jwtflow::TokenStoreFactory& factory = jwtflow::TokenStoreFactory::defaultFactory();
	for (const char* word: {"none", "memory", "file"}) EXPECT_NO_THROW(factory.check(word)) << word;
	EXPECT_EQ(jwtflow::TokenStoreFactory::schemeOf("redis://h:1/0"), "redis");
	EXPECT_EQ(jwtflow::TokenStoreFactory::schemeOf("file"), "file");
	for (const char* bad: {"File ", "files", "file://tmp", "memory://x", "", "s3://bucket"})
	{
		try
		{
			factory.check(bad);
			ADD_FAILURE() << "'" << bad << "' was taken for a store";
		}
		catch (const jwtflow::UsageException& e)
		{
			EXPECT_NE(e.message().find("is not a token store: use none (no store), memory (this process only), file"), std::string::npos)
				<< e.message();
		}
	}
	EXPECT_EQ(factory.open("none", {}), nullptr);
	EXPECT_NE(std::dynamic_pointer_cast<jwtflow::MemoryTokenStore>(factory.open("memory", {})), nullptr);
	EXPECT_THROW(factory.open("file", {}), jwtflow::UsageException) << "a file store needs the key to seal with";
	// A scheme registered later is taken, as POCO's HTTPSessionFactory takes a protocol.
	factory.registerScheme("test", [](const std::string&, const jwtflow::TokenStoreContext&) {
		return std::shared_ptr<jwtflow::TokenStore>(std::make_shared<jwtflow::MemoryTokenStore>());
	}, "test://anything");
	EXPECT_NE(factory.open("test://x", {}), nullptr);
	EXPECT_THROW(factory.check("test"), jwtflow::UsageException) << "a URL store needs its URL";
}
