// Package explain says what the engine decided, in English or Japanese.
//
// It is the message catalogue of engine explanations: for every piece of
// an engine.Result that a person reads (the decision, the layer, the
// role each statement or grant played, the rule that decided a denial,
// the inputs that were not read, the notes and the conditions) it holds
// the English and the Japanese side by side, and renders them from the
// result's structure (Reason.Kind and Subject, Rule, Layer, Unread) rather
// than from its English sentences. The English renderings are the
// engine's own words, so English output does not change with the
// catalogue; the Japanese ones are written from the structure.
//
// Some engine text reaches readers embedded in other texts: findings quote
// a decision's summary, a condition or a policy label inside their own
// sentences. Text rewrites those known phrases in a Japanese text, so a
// report in Japanese does not mix in English sentences; a phrase it does
// not know is left as it is. EnglishRuns finds what is left.
//
// The package knows the engine's result types and nothing of accounts,
// checks or reports. Languages are "en" and "ja", as in
// inventory.DescribePlanned; any other value reads as English.
package explain
