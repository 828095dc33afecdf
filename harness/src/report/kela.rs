//! The deployment-test report Kela asks for (käyttöönottokokeen raportti): sent within two
//! business days of the test, with the subject "SHA käyttöönottokoe + <asiakkaan nimi>", the
//! test cases and their results, and the open problems with their fixes as fields to fill.
//!
//! Owns the Finnish business-day calendar the deadline needs: weekends, the public holidays
//! (uudenvuodenpäivä, loppiainen, pitkäperjantai, 2. pääsiäispäivä, vappu, helatorstai,
//! juhannusaatto and -päivä, pyhäinpäivä, itsenäisyyspäivä, jouluaatto, joulupäivä, tapaninpäivä)
//! and the two eves that are not business days (juhannusaatto, jouluaatto).

use time::{Date, Duration, Month, Weekday};

use super::{RunReport, Status};

/// Easter Sunday of `year` (Gregorian calendar; the anonymous computus).
pub fn easter(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = if month == 3 { Month::March } else { Month::April };
    Date::from_calendar_date(year, month, day as u8).unwrap_or(Date::MIN)
}

/// The Saturday in `month` between `from` and `from + 6` (juhannuspäivä, pyhäinpäivä).
fn saturday_between(year: i32, month: Month, from: u8) -> Option<Date> {
    (from..from + 7)
        .filter_map(|d| Date::from_calendar_date(year, month, d).ok())
        .find(|d| d.weekday() == Weekday::Saturday)
}

/// Whether `day` is a Finnish public holiday or a non-business eve (juhannusaatto, jouluaatto).
pub fn is_holiday(day: Date) -> bool {
    let y = day.year();
    let fixed = |m: Month, d: u8| Date::from_calendar_date(y, m, d).ok() == Some(day);
    if fixed(Month::January, 1)
        || fixed(Month::January, 6)
        || fixed(Month::May, 1)
        || fixed(Month::December, 6)
        || fixed(Month::December, 24)
        || fixed(Month::December, 25)
        || fixed(Month::December, 26)
    {
        return true;
    }
    let e = easter(y);
    if [e - Duration::days(2), e + Duration::days(1), e + Duration::days(39)].contains(&day) {
        return true;
    }
    // Juhannuspäivä is the Saturday of 20–26 June, juhannusaatto the Friday before it;
    // pyhäinpäivä the Saturday of 31 October – 6 November.
    if let Some(midsummer) = saturday_between(y, Month::June, 20) {
        if day == midsummer || day == midsummer - Duration::days(1) {
            return true;
        }
    }
    let all_saints = saturday_between(y, Month::October, 31)
        .or_else(|| saturday_between(y, Month::November, 1))
        .filter(|d| (d.month() == Month::October && d.day() == 31) || d.month() == Month::November);
    all_saints == Some(day)
}

/// Whether `day` is a business day in Finland.
pub fn is_business_day(day: Date) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_holiday(day)
}

/// The `n`th business day after `day`.
pub fn business_days_after(day: Date, n: u32) -> Date {
    let mut d = day;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if is_business_day(d) {
            left -= 1;
        }
    }
    d
}

/// What the deployment-test report says about the occasion.
#[derive(Debug, Clone)]
pub struct Occasion<'a> {
    /// The customer (the organisation deploying), for the subject line.
    pub customer: &'a str,
    /// The system tested (registry name).
    pub system: &'a str,
    /// The controller it acts for.
    pub organisation: &'a str,
    /// Its connection profile.
    pub profile: &'a str,
    /// The day of the test.
    pub day: Date,
    /// When the connection test of the system passed.
    pub connection_test: &'a str,
}

/// The report, in Finnish Markdown.
pub fn render(r: &RunReport, o: &Occasion<'_>) -> String {
    let deadline = business_days_after(o.day, 2);
    let (p, f, s) = r.counts();
    let mut out = String::new();
    out.push_str("# Käyttöönottokokeen raportti: Kanta-palvelujen sosiaalihuollon asiakastiedon arkisto (SHA)\n\n");
    out.push_str(&format!(
        "Lähetä Kelalle viimeistään **{}** (kaksi arkipäivää käyttöönottokokeesta {}).\n\n",
        fi_date(deadline),
        fi_date(o.day)
    ));
    out.push_str(&format!("Sähköpostin aihe: **SHA käyttöönottokoe + {}**\n\n", o.customer));
    out.push_str("| Tieto | Arvo |\n|---|---|\n");
    out.push_str(&format!("| Asiakas | {} |\n", o.customer));
    out.push_str(&format!("| Testattava järjestelmä | {} |\n", o.system));
    out.push_str(&format!("| Rekisterinpitäjä | {} |\n", o.organisation));
    out.push_str(&format!("| Liittymisprofiili | {} |\n", o.profile));
    out.push_str(&format!("| Käyttöönottokokeen päivä | {} |\n", fi_date(o.day)));
    out.push_str(&format!("| Yhteystestaus hyväksytty | {} |\n", o.connection_test));
    out.push_str("| Tila | tuotanto (processingCode P) |\n");
    out.push_str(&format!("| Ajotapa | {} |\n", r.sut));
    out.push_str(&format!("| Tulos | {} testitapausta: {p} hyväksytty, {f} hylätty, {s} ohitettu |\n\n", p + f + s));
    out.push_str(
        "## Testitapaukset\n\n| Tunnus | Testitapaus | Tulos | Testihenkilö | Kuittaukset |\n|---|---|---|---|---|\n",
    );
    for sc in &r.scenarios {
        let result = sc.status.finnish_cell();
        out.push_str(&format!(
            "| {} | {} | {result} | {} | {} |\n",
            sc.id,
            sc.name.replace('|', "/"),
            sc.evidence.persons.join(", "),
            sc.evidence.acks.join(", ").replace('|', "/")
        ));
    }
    out.push_str(
        "\n## Avoimet ongelmat ja korjaukset\n\n| Ongelma | Korjaus | Vastuutaho | Aikataulu |\n|---|---|---|---|\n",
    );
    for sc in r.scenarios.iter().filter(|x| x.status == Status::Failed) {
        let why = sc.steps.iter().find_map(|s| s.error.as_deref()).and_then(|e| e.lines().next()).unwrap_or("");
        out.push_str(&format!("| {} {}: {} | | | |\n", sc.id, sc.name.replace('|', "/"), why.replace('|', "/")));
    }
    out.push_str("| | | | |\n");
    out.push_str(
        "\n## Allekirjoitukset\n\nToimittajan edustaja: ____________________  Asiakkaan edustaja: ____________________\n",
    );
    out
}

fn fi_date(d: Date) -> String {
    format!("{}.{}.{}", d.day(), u8::from(d.month()), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn easter_and_the_holidays_that_follow_it() {
        assert_eq!(easter(2026), date!(2026 - 04 - 05));
        assert_eq!(easter(2027), date!(2027 - 03 - 28));
        assert_eq!(easter(2025), date!(2025 - 04 - 20));
        assert!(is_holiday(date!(2027 - 03 - 26)), "pitkäperjantai");
        assert!(is_holiday(date!(2027 - 03 - 29)), "2. pääsiäispäivä");
        assert!(is_holiday(date!(2026 - 05 - 14)), "helatorstai");
        assert!(is_holiday(date!(2026 - 06 - 19)) && is_holiday(date!(2026 - 06 - 20)), "juhannus 2026");
        assert!(is_holiday(date!(2026 - 10 - 31)), "pyhäinpäivä 2026");
        assert!(is_holiday(date!(2027 - 11 - 06)), "pyhäinpäivä 2027");
        assert!(!is_holiday(date!(2026 - 06 - 18)) && !is_holiday(date!(2026 - 11 - 02)));
    }

    #[test]
    fn the_deadline_is_two_business_days_later() {
        // Saturday: Monday and Tuesday.
        assert_eq!(business_days_after(date!(2026 - 12 - 05), 2), date!(2026 - 12 - 08));
        // Before Christmas: the eve, Christmas and Boxing Day, then a weekend.
        assert_eq!(business_days_after(date!(2026 - 12 - 23), 2), date!(2026 - 12 - 29));
        // Before Easter 2027: Good Friday and Easter Monday.
        assert_eq!(business_days_after(date!(2027 - 03 - 25), 2), date!(2027 - 03 - 31));
        // A plain Tuesday.
        assert_eq!(business_days_after(date!(2026 - 11 - 17), 2), date!(2026 - 11 - 19));
        // Independence Day on a Wednesday (2028).
        assert_eq!(business_days_after(date!(2028 - 12 - 05), 2), date!(2028 - 12 - 08));
    }
}
