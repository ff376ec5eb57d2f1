// The family directory in Redis: one JSON document per family, index sets by school, grade and
// tag for audiences, and opt-outs per channel and address.
// Keys (docs/directory.md): <prefix>:{d}:family:<id>, <prefix>:{d}:terms:<id>,
// <prefix>:{d}:idx:<term>, <prefix>:{d}:optout:<channel>. All share the {d} hash tag.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>

#include "daemon/services/family.hpp"
#include "queue/lua_script.hpp"
#include "queue/redis_connection.hpp"

namespace liaison::services {

class directory_store {
 public:
  directory_store(queue::redis_connection& redis, std::string key_prefix);

  // Writes the family and moves its index memberships in one atomic step; true when new.
  boost::asio::awaitable<boost::system::result<bool>> put(const family& f);
  // Many families in one round trip (a roster import's batch); each entry says whether that
  // family was new. Each family is written atomically on its own.
  boost::asio::awaitable<boost::system::result<std::vector<bool>>> put_many(
      const std::vector<family>& families);
  // The family with each guardian's opt-outs filled in, or nullopt.
  boost::asio::awaitable<boost::system::result<std::optional<family>>> get(std::string_view id);
  // Removes the family and its index memberships; false when there was none.
  boost::asio::awaitable<boost::system::result<bool>> remove(std::string_view id);

  // Many families in two round trips (documents, then opt-outs); ids without a family are left
  // out.
  boost::asio::awaitable<boost::system::result<std::vector<family>>> get_many(
      const std::vector<std::string>& ids);
  // The steps of get_many, for fan-out, which runs them for different pages at once: the
  // families' stored documents (one round trip; nullopt for an id without a family), parsed
  // (CPU only), and then their opt-outs filled in (one round trip; `families` must outlive
  // the call).
  boost::asio::awaitable<boost::system::result<std::vector<std::optional<std::string>>>>
  get_documents(const std::vector<std::string>& ids);
  static boost::system::result<std::vector<family>> parse_documents(
      const std::vector<std::optional<std::string>>& documents);
  boost::asio::awaitable<boost::system::result<void>> fill_opt_outs(std::vector<family>* families);

  // How many families an index term has ("school:lincoln-es", "tag:newcomer", "all").
  boost::asio::awaitable<boost::system::result<long long>> count_term(std::string_view term);

  // Audiences: the family ids an announcement reaches, fixed when its fan-out starts (the roster
  // as it is at send time). `union_terms` and `family_ids` are who is in it; when `within_terms`
  // is not empty, only families also in one of those stay (a school key's schools).
  //
  // collect_audience keeps them as a set, enough to count them (a preview, count_in_audience);
  // snapshot_audience lists them in a fixed order, which fan-out pages through by position, and
  // keeps the set too when `keep_members` (the languages are to be counted). Both return the
  // number of families.
  boost::asio::awaitable<boost::system::result<long long>> collect_audience(
      std::string_view name, const std::vector<std::string>& union_terms,
      const std::vector<std::string>& family_ids, const std::vector<std::string>& within_terms);
  boost::asio::awaitable<boost::system::result<long long>> snapshot_audience(
      std::string_view name, const std::vector<std::string>& union_terms,
      const std::vector<std::string>& family_ids, const std::vector<std::string>& within_terms,
      bool keep_members);
  // `count` family ids of a snapshot from `position` on (none past the end).
  boost::asio::awaitable<boost::system::result<std::vector<std::string>>> audience_page(
      std::string name, std::size_t position, std::size_t count);
  // Where a fan-out resumes in its snapshot: the position after the family `cursor` ("" = the
  // start), or nullopt when there is no snapshot yet. A snapshot kept as a sorted set, as
  // earlier versions did, is turned into a list in the same order first.
  boost::asio::awaitable<boost::system::result<std::optional<std::size_t>>> resume_audience(
      std::string_view name, std::string_view cursor);
  boost::asio::awaitable<boost::system::result<void>> drop_audience(std::string_view name);
  // How many families of a snapshot are in each index term (e.g. per language), for previews.
  boost::asio::awaitable<boost::system::result<std::vector<long long>>> count_in_audience(
      std::string_view name, const std::vector<std::string>& terms);

  // Every language a guardian of the directory has (or had).
  boost::asio::awaitable<boost::system::result<std::vector<std::string>>> known_languages();

  // Opt-outs are per address, kept when a family is replaced or deleted and re-imported.
  boost::asio::awaitable<boost::system::result<void>> set_opted_out(config::channel c,
                                                                    std::string_view address,
                                                                    bool opted_out);

  // The preferred language of the guardian with this phone number, when one is known (the
  // first family listing it wins; a number shared by two guardians is an edge we accept).
  boost::asio::awaitable<boost::system::result<std::optional<std::string>>>
  guardian_language_by_phone(std::string_view phone);

  // The families with a guardian of this phone number (opt-outs filled in).
  boost::asio::awaitable<boost::system::result<std::vector<family>>> families_with_phone(
      std::string_view phone);

  // Sets the preferred language of every guardian with this phone number (a reply "español");
  // returns how many guardians changed. Each family is rewritten whole, as a PUT would.
  boost::asio::awaitable<boost::system::result<std::size_t>> set_language_by_phone(
      std::string_view phone, std::string_view language);

  // Whether the address opted out of the channel, as a command answering 1 or 0 (the worker
  // pipelines it with its "sending" mark).
  std::vector<std::string> opt_out_check(config::channel c, std::string_view address) const;

  std::string family_key(std::string_view id) const;
  std::string index_key(std::string_view term) const;
  std::string opt_out_key(config::channel c) const;
  // An audience's ordered list of family ids, and its set.
  std::string audience_key(std::string_view name) const;
  std::string audience_members_key(std::string_view name) const;
  std::string languages_key() const;

 private:
  queue::redis_request put_request(const family& f) const;
  queue::redis_request remove_request(std::string_view id) const;
  queue::redis_request opt_out_query(const std::vector<family>& families) const;
  // collect_audience, and snapshot_audience when `listed`.
  boost::asio::awaitable<boost::system::result<long long>> gather_audience(
      std::string_view name, const std::vector<std::string>& union_terms,
      const std::vector<std::string>& family_ids, const std::vector<std::string>& within_terms,
      bool listed, bool keep_members);

  queue::redis_connection& redis_;
  std::string prefix_;
  queue::lua_script resume_script_;
};

}  // namespace liaison::services
