//! Writing one CSV row the way spreadsheet programs (and Python's `csv`
//! module) do: comma-separated, CRLF line ends, a field quoted only when it
//! holds a comma, a quote or a line break.

/// Appends `fields` as one row to `out`.
pub(crate) fn push_row<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let field = field.as_ref();
        if field.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_are_written_as_they_are() {
        let mut out = String::new();
        push_row(&mut out, &["东湖社区", "1", ""]);
        assert_eq!(out, "东湖社区,1,\r\n");
    }

    #[test]
    fn fields_with_commas_quotes_or_line_breaks_are_quoted() {
        let mut out = String::new();
        push_row(&mut out, &["a,b", "say \"hi\"", "two\nlines"]);
        assert_eq!(out, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    }
}
