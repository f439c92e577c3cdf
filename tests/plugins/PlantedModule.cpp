//
// PlantedModule.cpp: a library a cloned repository could carry as its "PKCS#11
// module". Its constructor runs the moment anything dlopen()s it, and leaves a
// file behind (JWTFLOW_PLANTED_MARKER), so that a test can tell it was loaded.
//
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace {

struct Planted
{
	Planted()
	{
		const char* marker = std::getenv("JWTFLOW_PLANTED_MARKER");
		if (!marker) return;
		int fd = ::open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0)
		{
			(void)!::write(fd, "loaded\n", 7);
			::close(fd);
		}
	}
} planted;

} // namespace
