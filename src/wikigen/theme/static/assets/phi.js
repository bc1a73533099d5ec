/* wikigen: text that resembles a client identifier (PHI). One list for the revision form's warning in the
   browser (revision.js) and for the submission-created function, which holds such text back from the
   GitHub issue it files. It warns; only the writer can tell a false alarm, so nothing here is a filter. */

/* [what the reader is told, pattern]; no `g` flag, so test() keeps no state between calls. */
export const IDENTIFIERS = [
  ["an email address", /[^\s@]+@[^\s@]+\.[a-z]{2,}/i],
  ["a phone number", /(?:\+?\d[\s().-]*){9,}/],
  ["a date of birth", /\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)\b/i],
  ["a full date", new RegExp([
    /\b\d{1,2}[\/.-]\d{1,2}[\/.-](?:19|20)\d{2}\b/.source,                                   // 03/04/1987
    /\b(?:19|20)\d{2}[\/.-](?:0?[1-9]|1[0-2])[\/.-](?:0?[1-9]|[12]\d|3[01])\b/.source,        // 2024-03-05
    /\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+(?:19|20)\d{2}\b/.source,
    /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}\b/.source
  ].join("|"), "i")],
  ["a name with a title", /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b\.?\s+\p{Lu}[\p{Ll}'’-]+/u],
  ["a street address or postcode", new RegExp([
    /\b\d{1,5}[A-Za-z]?,?\s+(?:\p{Lu}[\p{Ll}'’-]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Court|Ct|Place|Pl|Boulevard|Blvd|Crescent|Terrace|Gardens|Square|Grove|Row|Mews|Walk|Parade|Highway|Hwy)\b/.source,
    /\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b/.source                                                // UK postcode
  ].join("|"), "u")],
  ["a record number", new RegExp([
    /\b(?:mrn|medical record|record (?:no|number)|patient id|nhs (?:no|number)|ssn)\b/.source,
    /\b\d{3}-\d{2}-\d{4}\b/.source,                                                            // US SSN
    /(?:^|[^\w&])#\s?[A-Z]{0,3}-?\d{4,}\b/.source,                                            // #A1234567
    /\b(?:record|chart|case|file|patient|client|hospital|ward|bed|id)\b\W{0,3}(?:no\.?|number|#)?\s*[A-Z]{0,3}-?\d{5,}\b/.source,
    /\b(?!(?:NCT|PMC)\d)[A-Z]{1,3}-?\d{6,}\b/.source                                           // A1234567, not a trial or PMC id
  ].join("|"), "i")]
];

/* Parts of a sourced revision that look like numbers above but identify a publication, not a person. */
const PUBLICATION_IDS = [
  /\bhttps?:\/\/\S+/gi,
  /\b(?:doi:\s*)?10\.\d{4,9}\/\S+/gi,
  /\bISBN(?:-1[03])?:?\s*[\dX][\d -]{8,15}[\dX]\b/gi,
  /\bPMID:?\s*\d{1,9}\b/gi
];

/* The kinds of identifier `text` seems to contain, in the order of IDENTIFIERS. */
export function findIdentifiers(text) {
  var plain = PUBLICATION_IDS.reduce(function (rest, pattern) { return rest.replace(pattern, " "); }, String(text));
  return IDENTIFIERS.filter(function (item) { return item[1].test(plain); }).map(function (item) { return item[0]; });
}
