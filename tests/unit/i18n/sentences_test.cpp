#include "i18n/sentences.hpp"

#include <gtest/gtest.h>

namespace liaison::i18n {
namespace {

TEST(without_last_sentence, drops_the_link_sentence_of_an_offer) {
  EXPECT_EQ(without_last_sentence("Interpreter needed: Spanish, IEP meeting, Tuesday, December 3, "
                                  "3:00 PM. To accept or decline, open https://l.example.org/o/1",
                                  "en"),
            "Interpreter needed: Spanish, IEP meeting, Tuesday, December 3, 3:00 PM.");
  // Spanish "p. m." is not where the last sentence starts.
  EXPECT_EQ(without_last_sentence("Se necesita intérprete: 3 de diciembre, 3:00 p. m. Para aceptar "
                                  "o rechazar, abra https://l.example.org/o/1",
                                  "es"),
            "Se necesita intérprete: 3 de diciembre, 3:00 p. m.");
  EXPECT_EQ(without_last_sentence("通訳者が必要です：スペイン語。このページを開いてください："
                                  "https://l.example.org/o/1",
                                  "ja"),
            "通訳者が必要です：スペイン語。");
}

TEST(without_last_sentence, keeps_a_single_sentence_whole) {
  EXPECT_EQ(without_last_sentence("Open https://l.example.org/o/1", "en"),
            "Open https://l.example.org/o/1");
  EXPECT_EQ(without_last_sentence("", "en"), "");
}

}  // namespace
}  // namespace liaison::i18n
