// Package report writes the outcome of a scan (a [Report]: the checks that
// ran, their findings, the suppressed findings and the expired
// suppressions) in one of four formats: text for a terminal, versioned
// JSON for machines (docs/report-json.md), SARIF 2.1.0 for GitHub code
// scanning, and one self-contained HTML file.
//
// Every writer sorts before printing, so the same report always gives the
// same bytes. User-visible words (headings, labels, status names) come from
// a small catalogue in English and Japanese; the texts of findings and
// checks come from their [checks.Text] values in the report's language.
//
// The package holds no check logic and knows nothing of the command line:
// the caller decides the format, the language, the colour and the clock.
package report
