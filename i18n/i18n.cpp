// Placeholder translation unit until the first i18n unit lands.
namespace liaison::i18n {}
