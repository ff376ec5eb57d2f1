// Conversion of hiredis reply trees, built by hand, into redis_reply values.
#include "queue/detail/redis_reply_conversion.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "queue/redis_connection.hpp"

namespace liaison::queue::detail {
namespace {

using kind = redis_reply::kind_t;

redisReply text_reply(int type, std::string& storage) {
  redisReply reply{};
  reply.type = type;
  reply.str = storage.data();
  reply.len = storage.size();
  return reply;
}

redisReply integer_reply(long long value) {
  redisReply reply{};
  reply.type = REDIS_REPLY_INTEGER;
  reply.integer = value;
  return reply;
}

redisReply nil_reply() {
  redisReply reply{};
  reply.type = REDIS_REPLY_NIL;
  return reply;
}

redisReply array_reply(std::vector<redisReply*>& elements) {
  redisReply reply{};
  reply.type = REDIS_REPLY_ARRAY;
  reply.element = elements.data();
  reply.elements = elements.size();
  return reply;
}

TEST(RedisReplyConversion, NilBecomesNil) {
  const auto reply = convert_reply(nil_reply());
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->is_nil());
  EXPECT_EQ(reply->kind, kind::nil);
}

TEST(RedisReplyConversion, BulkStringKeepsEveryByteIncludingNul) {
  std::string bytes("caf\xc3\xa9\0tail", 10);
  const auto reply = convert_reply(text_reply(REDIS_REPLY_STRING, bytes));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, kind::string);
  EXPECT_EQ(reply->text, bytes);
  EXPECT_EQ(reply->text.size(), 10u);
}

TEST(RedisReplyConversion, EmptyStringIsAStringNotNil) {
  std::string empty;
  const auto reply = convert_reply(text_reply(REDIS_REPLY_STRING, empty));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, kind::string);
  EXPECT_EQ(reply->text, "");
}

TEST(RedisReplyConversion, StatusKeepsItsText) {
  std::string ok = "OK";
  const auto reply = convert_reply(text_reply(REDIS_REPLY_STATUS, ok));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, kind::status);
  EXPECT_EQ(reply->text, "OK");
  EXPECT_FALSE(reply->is_error());
}

TEST(RedisReplyConversion, ErrorReplyIsAValueWithItsMessage) {
  std::string message = "WRONGTYPE Operation against a key holding the wrong kind of value";
  const auto reply = convert_reply(text_reply(REDIS_REPLY_ERROR, message));
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->is_error());
  EXPECT_EQ(reply->text, message);
}

TEST(RedisReplyConversion, IntegerKeepsItsFullRange) {
  for (long long value : {0LL, -1LL, 42LL, 9'223'372'036'854'775'807LL}) {
    const auto reply = convert_reply(integer_reply(value));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->kind, kind::integer);
    EXPECT_EQ(reply->integer, value);
  }
}

TEST(RedisReplyConversion, EmptyArrayIsAnEmptyArray) {
  std::vector<redisReply*> none;
  const auto reply = convert_reply(array_reply(none));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, kind::array);
  EXPECT_TRUE(reply->elements.empty());
}

TEST(RedisReplyConversion, NestedArraysKeepShapeOrderAndKinds) {
  // The shape of an XREADGROUP reply: [[stream, [[id, [field, value]]]], nil-entry, 7, error]
  std::string stream = "liaison:{q}:stream:sms";
  std::string id = "1700000000000-0";
  std::string field = "delivery";
  std::string value = "d-1";
  std::string failure = "ERR inner";
  redisReply field_reply = text_reply(REDIS_REPLY_STRING, field);
  redisReply value_reply = text_reply(REDIS_REPLY_STRING, value);
  std::vector<redisReply*> pair = {&field_reply, &value_reply};
  redisReply pair_reply = array_reply(pair);
  redisReply id_reply = text_reply(REDIS_REPLY_STRING, id);
  std::vector<redisReply*> entry = {&id_reply, &pair_reply};
  redisReply entry_reply = array_reply(entry);
  std::vector<redisReply*> entries = {&entry_reply};
  redisReply entries_reply = array_reply(entries);
  redisReply stream_reply = text_reply(REDIS_REPLY_STRING, stream);
  std::vector<redisReply*> stream_pair = {&stream_reply, &entries_reply};
  redisReply stream_pair_reply = array_reply(stream_pair);
  redisReply nil = nil_reply();
  redisReply seven = integer_reply(7);
  redisReply error = text_reply(REDIS_REPLY_ERROR, failure);
  std::vector<redisReply*> top = {&stream_pair_reply, &nil, &seven, &error};

  const auto reply = convert_reply(array_reply(top));

  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->kind, kind::array);
  ASSERT_EQ(reply->elements.size(), 4u);
  const auto& first = reply->elements[0];
  ASSERT_EQ(first.kind, kind::array);
  ASSERT_EQ(first.elements.size(), 2u);
  EXPECT_EQ(first.elements[0].text, stream);
  const auto& first_entry = first.elements[1].elements.at(0);
  EXPECT_EQ(first_entry.elements.at(0).text, id);
  EXPECT_EQ(first_entry.elements.at(1).elements.at(0).text, "delivery");
  EXPECT_EQ(first_entry.elements.at(1).elements.at(1).text, "d-1");
  EXPECT_TRUE(reply->elements[1].is_nil());
  EXPECT_EQ(reply->elements[2].kind, kind::integer);
  EXPECT_EQ(reply->elements[2].integer, 7);
  EXPECT_TRUE(reply->elements[3].is_error());
  EXPECT_EQ(reply->elements[3].text, "ERR inner");
}

TEST(RedisReplyConversion, UnknownTypeIsAProtocolError) {
  redisReply reply{};
  reply.type = 999;
  const auto converted = convert_reply(reply);
  ASSERT_FALSE(converted);
  EXPECT_EQ(converted.error(), redis_errc::protocol_error);
}

TEST(RedisReplyConversion, UnknownTypeInsideAnArrayIsAProtocolError) {
  redisReply strange{};
  strange.type = 999;
  redisReply seven = integer_reply(7);
  std::vector<redisReply*> elements = {&seven, &strange};
  const auto converted = convert_reply(array_reply(elements));
  ASSERT_FALSE(converted);
  EXPECT_EQ(converted.error(), redis_errc::protocol_error);
}

TEST(RedisReplyConversion, ArrayWithMissingElementIsAProtocolError) {
  std::vector<redisReply*> elements = {nullptr};
  const auto converted = convert_reply(array_reply(elements));
  ASSERT_FALSE(converted);
  EXPECT_EQ(converted.error(), redis_errc::protocol_error);
}

TEST(RedisErrorCategory, CodesCompareAndDescribeThemselves) {
  const boost::system::error_code ec = redis_errc::timeout;
  EXPECT_EQ(ec.category(), redis_category());
  EXPECT_EQ(ec, redis_errc::timeout);
  EXPECT_NE(ec, redis_errc::connection_lost);
  EXPECT_STREQ(redis_category().name(), "liaison.redis");
  for (auto e : {redis_errc::not_connected, redis_errc::timeout, redis_errc::connection_lost,
                 redis_errc::protocol_error, redis_errc::cancelled}) {
    EXPECT_NE(make_error_code(e).message(), "unknown redis error");
  }
}

TEST(RedisRequest, KeepsCommandsInOrder) {
  redis_request request;
  request.push({"SET", "k", "v"});
  request.push(std::vector<std::string>{"GET", "k"});
  ASSERT_EQ(request.size(), 2u);
  EXPECT_EQ(request.command(0).to_strings(), (std::vector<std::string>{"SET", "k", "v"}));
  EXPECT_EQ(request.command(1).to_strings(), (std::vector<std::string>{"GET", "k"}));
}

TEST(RedisRequest, KeepsArgumentsWhole) {
  // Arguments are stored end to end: empty ones, binary ones and pairs stay what they were.
  redis_request request;
  const std::string binary("a\0b\r\n", 5);
  request.push({"SET", "k", ""});
  request.push_with_pairs({"HSET", "h"},
                          std::map<std::string, std::string>{{"f1", binary}, {"f2", "v2"}});
  redis_request joined;
  joined.push({"PING"});
  joined.append(request);
  ASSERT_EQ(joined.size(), 3u);
  EXPECT_EQ(joined.command(0).to_strings(), (std::vector<std::string>{"PING"}));
  EXPECT_EQ(joined.command(1).to_strings(), (std::vector<std::string>{"SET", "k", ""}));
  EXPECT_EQ(joined.command(2).to_strings(),
            (std::vector<std::string>{"HSET", "h", "f1", binary, "f2", "v2"}));
  EXPECT_EQ(joined.command(2)[3].size(), 5u);
  joined.clear();
  EXPECT_TRUE(joined.empty());
  joined.push({"GET", "k"});
  EXPECT_EQ(joined.command(0).to_strings(), (std::vector<std::string>{"GET", "k"}));
}

TEST(RedisRequest, RefusesEmptyAndModeSwitchingCommands) {
  redis_request request;
  EXPECT_THROW(request.push(std::vector<std::string>{}), std::invalid_argument);
  EXPECT_THROW(request.push_with_pairs({"SUBSCRIBE"}, std::map<std::string, std::string>{}),
               std::invalid_argument);
  EXPECT_THROW(request.push({"subscribe", "news"}), std::invalid_argument);
  EXPECT_THROW(request.push({"PSUBSCRIBE", "n*"}), std::invalid_argument);
  EXPECT_THROW(request.push({"Monitor"}), std::invalid_argument);
  EXPECT_EQ(request.size(), 0u);
  request.push({"PUBLISH", "news", "hello"});  // publishing is an ordinary command
  EXPECT_EQ(request.size(), 1u);
}

}  // namespace
}  // namespace liaison::queue::detail

namespace liaison::queue {
namespace {

redis_reply status(const char* text) {
  return {redis_reply::kind_t::status, text, 0, {}};
}
redis_reply error(const char* text) {
  return {redis_reply::kind_t::error, text, 0, {}};
}

TEST(transaction_succeeded, only_when_exec_ran_every_command_without_an_error) {
  const redis_reply ran{
      redis_reply::kind_t::array, "", 0, {status("OK"), {redis_reply::kind_t::integer, "", 1, {}}}};
  EXPECT_TRUE(transaction_succeeded({status("OK"), status("QUEUED"), status("QUEUED"), ran}));
  // Aborted (WATCH, or EXECABORT after a queuing error): EXEC is nil or an error.
  EXPECT_FALSE(transaction_succeeded({status("OK"), status("QUEUED"), redis_reply{}}));
  EXPECT_FALSE(
      transaction_succeeded({status("OK"), error("ERR unknown command"), error("EXECABORT")}));
  // A command that failed inside EXEC (a wrong type): the others ran, the write is not whole.
  const redis_reply half{redis_reply::kind_t::array, "", 0, {status("OK"), error("WRONGTYPE")}};
  EXPECT_FALSE(transaction_succeeded({status("OK"), status("QUEUED"), status("QUEUED"), half}));
  EXPECT_FALSE(transaction_succeeded({}));
}

}  // namespace
}  // namespace liaison::queue
