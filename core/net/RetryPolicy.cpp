//
// RetryPolicy.cpp
//
// Library: jwtflow net
// Which answers and failures are tried again, and after how long.
//
// SPDX-License-Identifier: BSL-1.0
//
#include "HttpParts.h"
#include "jwtflow/Exception.h"
#include "jwtflow/SafeText.h"
#include <Poco/DateTimeParser.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>
#include <algorithm>
#include <cctype>

namespace jwtflow {

namespace detail {

bool retryableStatus(int status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

} // namespace detail

int retryAfterSeconds(const std::string& value)
{
	if (value.empty()) return -1;
	const std::string text = Poco::trim(value);
	Poco::Int64 seconds = 0;
	if (Poco::NumberParser::tryParse64(text, seconds))
		return static_cast<int>(std::max<Poco::Int64>(MIN_RETRY_AFTER_SECONDS, std::min<Poco::Int64>(seconds, MAX_RETRY_AFTER_SECONDS)));
	if (!text.empty() && (text[0] == '-' || text[0] == '+' || std::isdigit(static_cast<unsigned char>(text[0]))))
		return MAX_RETRY_AFTER_SECONDS;   // a number too large for 64 bits, or with junk after it
	try
	{
		int tz = 0;
		Poco::DateTime when = Poco::DateTimeParser::parse(text, tz);
		const Poco::Int64 s = static_cast<Poco::Int64>(when.timestamp().epochTime()) - static_cast<Poco::Int64>(Poco::Timestamp().epochTime());
		return static_cast<int>(std::max<Poco::Int64>(MIN_RETRY_AFTER_SECONDS, std::min<Poco::Int64>(s, MAX_RETRY_AFTER_SECONDS)));
	}
	catch (const Poco::Exception&)
	{
		return -1;
	}
}

} // namespace jwtflow
