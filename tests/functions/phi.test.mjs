// The revision form's PHI warning (src/wikigen/theme/static/assets/phi.js), run under node as the browser runs it.
// Each row: a text, and the kinds of identifier it must be reported to contain ([] = must not warn).
import assert from "node:assert/strict";
import { test } from "node:test";

import { findIdentifiers } from "../../src/wikigen/theme/static/assets/phi.js";

const SHOULD_WARN = [
  // The four the issue reports as missed.
  ["Mrs Jane Smith, 45, of 12 High Street, improved after reframing.", ["a name with a title", "a street address or postcode"]],
  ["Her file is #A1234567.", ["a record number"]],
  ["Seen on 2024-03-05 for a review.", ["a full date"]],
  ["See record A-99812 for the intake notes.", ["a record number"]],
  // Each kind on its own.
  ["Write to j.smith@example.org for the notes.", ["an email address"]],
  ["Call +44 20 7946 0958 after 5 pm.", ["a phone number"]],
  ["Her NHS number 485 777 3456 was on the letter.", ["a phone number", "a record number"]],
  ["DOB 03/04/1987, referred by her GP.", ["a date of birth", "a full date"]],
  ["He was born on 5 March 1990 in Leeds.", ["a date of birth", "a full date"]],
  ["The session on March 5, 2024 went well.", ["a full date"]],
  ["Mr. Brown stopped attending.", ["a name with a title"]],
  ["Dr Ahmed referred the client.", ["a name with a title"]],
  ["She lives at 221B Baker Street.", ["a street address or postcode"]],
  ["They moved to 4 Elm Grove last year.", ["a street address or postcode"]],
  ["Postcode SW1A 1AA.", ["a street address or postcode"]],
  ["MRN 4471203 in the chart.", ["a record number"]],
  ["Patient ID: 0045521.", ["a record number"]],
  ["chart no. 77812 was reviewed", ["a record number"]],
  ["SSN 123-45-6789", ["a phone number", "a record number"]],
  ["Ticket 2024/03/05 from the ward", ["a full date"]],
];

const SHOULD_NOT_WARN = [
  "Elliot and McGregor proposed the 2x2 achievement goal framework [@elliot2001, p. 501].",
  "Nicholls distinguished task and ego involvement in 1984 [@nicholls1984, pp. 328-346].",
  "Source: https://doi.org/10.1037/0022-3514.80.3.501 (accessed in 2024).",
  "doi:10.1037/0033-295X.91.3.328",
  "Registered as NCT01234567; full text at PMC1234567.",
  "PMID: 11300582.",
  "ISBN 978-0-12-345678-9, chapter 3.",
  "Students aged 12 to 14 in 3 schools took part.",
  "Table 2 shows that 45% of 1,200 participants improved.",
  "Multiple sclerosis (MS) patients were excluded.",
  "The 2024 update changed the guideline; the 2019-2020 cohort was smaller.",
  "Mastery-approach goals predicted interest (r = .32, p < .001).",
  "Under T1 sources, prefer systematic reviews from 2010 onwards.",
  "Clinicians can use this as a lens for case formulation [@llm].",
  "See section 3.2 of the manual, and Figure 4.",
];

for (const [text, kinds] of SHOULD_WARN) {
  test(`warns: ${text}`, () => {
    assert.deepEqual(findIdentifiers(text), kinds);
  });
}

for (const text of SHOULD_NOT_WARN) {
  test(`does not warn: ${text}`, () => {
    assert.deepEqual(findIdentifiers(text), []);
  });
}

test("the patterns keep no state between calls (no global flag)", () => {
  const text = "Mrs Jane Smith, of 12 High Street";
  assert.deepEqual(findIdentifiers(text), findIdentifiers(text));
});
