//
// JsonValueTest.cpp: parseJsonValue takes exactly one JSON value, any kind, with
// the bounds of text from outside.
//
#include "jwtflow/Json.h"
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>

using jwtflow::parseJsonValue;

TEST(JsonValue, EveryKindOfValue)
{
	EXPECT_EQ(parseJsonValue("42").convert<int>(), 42);
	EXPECT_EQ(parseJsonValue(" true ").convert<bool>(), true);
	EXPECT_TRUE(parseJsonValue("null").isEmpty());
	EXPECT_EQ(parseJsonValue("\"text\"").convert<std::string>(), "text");
	EXPECT_EQ(parseJsonValue("[1,2,3]").extract<Poco::JSON::Array::Ptr>()->size(), 3u);
	EXPECT_EQ(parseJsonValue("{\"a\":{\"b\":[]}}").extract<Poco::JSON::Object::Ptr>()->size(), 1u);
}

TEST(JsonValue, OneValueOnlyAndNothingThatBreaksOutOfTheWrapping)
{
	for (const char* text: {"", "1 2", "1,2", "1]", "1],[2", "]", "[1]]", "{\"a\":1}}", "tru", "\"open", "// comment\n1"})
		EXPECT_THROW(parseJsonValue(text), Poco::DataFormatException) << text;
}

TEST(JsonValue, TheBoundsOfTextFromOutside)
{
	EXPECT_THROW(parseJsonValue(std::string(40, '[') + std::string(40, ']')), Poco::DataFormatException);
	EXPECT_NO_THROW(parseJsonValue(std::string(jwtflow::MAX_JSON_DEPTH - 1, '[') + std::string(jwtflow::MAX_JSON_DEPTH - 1, ']')));
	std::string wide = "{";
	for (int i = 0; i < 300; ++i) wide += std::string(i ? "," : "") + "\"k" + std::to_string(i) + "\":1";
	EXPECT_THROW(parseJsonValue(wide + "}"), Poco::DataFormatException);
}
