//
// LoadFloor.cpp: an empty program linked with the shared libraries the jwtflow
// host needs for `jwt` (POCO Foundation, Util (+XML), JSON; libcrypto;
// libstdc++). Its run time is what loading those libraries costs, the floor
// under any POCO program's start-up (bench/cli.sh reports it).
//
#include <Poco/JSON/Object.h>
#include <Poco/Util/Application.h>
#include <openssl/crypto.h>

int main(int argc, char**)
{
	// Referenced only so that the linker keeps the libraries; never run.
	if (argc > 1000)
	{
		Poco::JSON::Object object;
		Poco::Util::Application* app = &Poco::Util::Application::instance();
		return static_cast<int>(object.size()) + (app ? 1 : 0) + static_cast<int>(OpenSSL_version_num() & 1);
	}
	return 0;
}
