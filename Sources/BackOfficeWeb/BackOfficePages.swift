import AMCashBackOffice
import AMCashDomain
import Foundation

/// The two languages of the pages.
public enum PageLanguage: String, Sendable, CaseIterable {
    case en, fr
}

/// Server-rendered HTML: every page is whole without JavaScript, every value escaped, every control
/// labelled; the one chart is SVG drawn here. Pure functions of what the database said.
struct BackOfficePages {
    let language: PageLanguage
    let now: Date
    /// One per page: making a formatter costs more than a thousand uses of it.
    let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = ProgramDay.zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter
    }()

    /// The phrase in the page's language.
    func t(_ english: String, _ french: String) -> String { language == .fr ? french : english }

    // MARK: - Pieces

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    func money(_ cents: Int64) -> String {
        let text = Money(cents: Int(cents)).decimalString
        return language == .fr ? text.replacingOccurrences(of: ".", with: ",") + " $" : "$" + text
    }

    func time(_ date: Date) -> String { formatter.string(from: date) }

    func duration(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds))
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min" }
        let minutes = (total % 3600) / 60
        return "\(total / 3600) h \(minutes < 10 ? "0" : "")\(minutes)"
    }

    /// Where a page of `section` is for this person: their store's path, or the chain's.
    static func path(_ section: String, store: String?) -> String { store.map { "/stores/\($0)/\(section)" } ?? "/\(section)" }

    func layout(title: String, session: BackOfficeSession?, store: String?, current: String, body: String) -> String {
        var nav = ""
        if let session {
            let scope = session.user.role == .chain ? store : session.user.store
            let links = [
                ("today", t("Today", "Aujourd’hui")), ("exceptions", t("Exceptions", "Exceptions")),
                ("reconciliation", t("Reconciliation", "Rapprochement")), ("host", t("Host", "Hôte")),
            ]
            nav += "<nav aria-label=\"\(t("Sections", "Sections"))\"><ul>"
            for (section, label) in links {
                let here = section == current ? " aria-current=\"page\"" : ""
                nav += "<li><a href=\"\(Self.escape(Self.path(section, store: scope)))\"\(here)>\(label)</a></li>"
            }
            if session.user.role == .chain, store != nil {
                nav += "<li><a href=\"/\(current)\">\(t("Whole chain", "Toute la chaîne"))</a></li>"
            }
            nav += "</ul></nav>"
            let who =
                session.user.role == .chain
                ? t("chain IT", "TI de la chaîne") : t("store \(session.user.store ?? "")", "magasin \(session.user.store ?? "")")
            nav += """
                <form class="signout" method="post" action="/logout">\(csrfField(session))\
                <span>\(Self.escape(session.user.name)) (\(Self.escape(who)))</span> \
                <button type="submit">\(t("Sign out", "Se déconnecter"))</button></form>
                """
        }
        let other = language == .fr ? ("en", "English") : ("fr", "Français")
        return """
            <!doctype html>
            <html lang="\(language.rawValue)">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(title)) — AM Cash</title><link rel="stylesheet" href="/style.css"></head>
            <body><header><p class="brand">AM Cash · \(t("back office", "arrière-boutique"))</p>\(nav)\
            <p class="lang"><a href="?lang=\(other.0)" hreflang="\(other.0)" lang="\(other.0)">\(other.1)</a></p></header>
            <main><h1>\(Self.escape(title))</h1>
            \(body)
            </main></body></html>
            """
    }

    func csrfField(_ session: BackOfficeSession) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(Self.escape(session.csrfToken))\">"
    }

    // MARK: - Pages

    func login(csrf: String, message: String?, name: String = "") -> String {
        var body = ""
        if let message { body += "<p class=\"error\" role=\"alert\">\(Self.escape(message))</p>" }
        body += """
            <form method="post" action="/login" class="login">
            <input type="hidden" name="csrf" value="\(Self.escape(csrf))">
            <p><label for="name">\(t("Name", "Nom"))</label> <input id="name" name="name" autocomplete="username" required value="\(Self.escape(name))"></p>
            <p><label for="password">\(t("Password", "Mot de passe"))</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
            <p><button type="submit">\(t("Sign in", "Se connecter"))</button></p>
            </form>
            """
        return layout(title: t("Sign in", "Connexion"), session: nil, store: nil, current: "", body: body)
    }

    func message(title: String, text: String, session: BackOfficeSession?) -> String {
        layout(title: title, session: session, store: nil, current: "", body: "<p role=\"alert\">\(Self.escape(text))</p>")
    }

    func today(session: BackOfficeSession, store: String?, day: String, tills: [TillDay], hours: [Int], staleAfter: TimeInterval) -> String {
        var body = "<p>\(t("Reconciliation day", "Journée de rapprochement")) \(Self.escape(day)) · \(t("as of", "à")) \(time(now))</p>"
        let stale = tills.filter { now.timeIntervalSince($0.lastSeen) > staleAfter }
        if !stale.isEmpty {
            body += "<p class=\"warning\" role=\"alert\">"
            body += t(
                "\(stale.count) till(s) not forwarding for more than \(Int(staleAfter / 60)) min.",
                "\(stale.count) caisse(s) sans transmission depuis plus de \(Int(staleAfter / 60)) min.")
            body += "</p>"
        }
        body += """
            <table><caption>\(t("Tills", "Caisses"))</caption><thead><tr>
            <th scope="col">\(t("Store", "Magasin"))</th><th scope="col">\(t("Till", "Caisse"))</th>
            <th scope="col">\(t("Last seen", "Dernier contact"))</th><th scope="col">\(t("Forwarding lag", "Retard de transmission"))</th>
            <th scope="col">\(t("Pending rows", "Lignes en attente"))</th>
            <th scope="col">\(t("Redemptions", "Échanges"))</th><th scope="col">\(t("Reversals", "Annulations"))</th>
            <th scope="col">\(t("Voids", "Rétractations"))</th></tr></thead><tbody>
            """
        var totals = (0, Int64(0), 0, Int64(0), 0, Int64(0), 0)
        for till in tills {
            let lag = now.timeIntervalSince(till.lastSeen)
            let isStale = lag > staleAfter
            let storeCell =
                session.user.role == .chain && store == nil
                ? "<a href=\"/stores/\(Self.escape(till.store))/today\">\(Self.escape(till.store))</a>" : Self.escape(till.store)
            body += "<tr\(isStale ? " class=\"stale\"" : "")><td>\(storeCell)</td><td>\(Self.escape(till.device))</td>"
            body += "<td>\(time(till.lastSeen))\(isStale ? " <strong>⚠ \(t("not forwarding", "sans transmission"))</strong>" : "")</td>"
            body += "<td>\(duration(lag))</td><td class=\"n\">\(till.pendingRows)</td>"
            body += "<td class=\"n\">\(till.redemptions) · \(money(till.redeemedCents))</td>"
            body += "<td class=\"n\">\(till.reversals) · \(money(till.reversedCents))</td>"
            body += "<td class=\"n\">\(till.voids) · \(money(till.voidedCents))</td></tr>"
            totals.0 += till.redemptions
            totals.1 += till.redeemedCents
            totals.2 += till.reversals
            totals.3 += till.reversedCents
            totals.4 += till.voids
            totals.5 += till.voidedCents
            totals.6 += till.pendingRows
        }
        if tills.isEmpty {
            body += "<tr><td colspan=\"8\">\(t("No till has forwarded yet.", "Aucune caisse n’a encore transmis."))</td></tr>"
        }
        body += """
            </tbody><tfoot><tr><th scope="row" colspan="4">\(t("Total", "Total")) (\(tills.count) \(t("tills", "caisses")))</th>
            <td class="n">\(totals.6)</td><td class="n">\(totals.0) · \(money(totals.1))</td>
            <td class="n">\(totals.2) · \(money(totals.3))</td><td class="n">\(totals.4) · \(money(totals.5))</td></tr></tfoot></table>
            """
        body += chart(hours)
        return layout(
            title: storeTitle(t("Today", "Aujourd’hui"), store), session: session, store: store,
            current: "today", body: body)
    }

    /// A page's title, followed by the store when the page is about one.
    func storeTitle(_ title: String, _ store: String?) -> String {
        title + (store.map { " — " + t("store", "magasin") + " " + $0 } ?? "")
    }

    /// Redemptions per hour as bars, with a text equivalent for screen readers.
    func chart(_ hours: [Int]) -> String {
        let frame = ChartFrame(width: 720, height: 220, left: 40, bottom: 24, top: 10)
        let scale = Self.roundScale(hours.max() ?? 0)
        let barWidth = (frame.width - frame.left) / 24
        let title = t("Redemptions per hour", "Échanges par heure")
        var svg = frame.opening(id: "chart-title", title: title) + "\n" + frame.axis(scale: "\(scale)")
        for (hour, count) in hours.enumerated() {
            let barHeight = frame.plotHeight * Double(count) / Double(scale)
            let x = frame.left + Double(hour) * barWidth + 2
            let y = frame.baseline - barHeight
            svg +=
                "<rect class=\"bar\" x=\"\(x)\" y=\"\(y)\" width=\"\(barWidth - 4)\" height=\"\(barHeight)\"><title>\(hour):00 — \(count)</title></rect>"
            if hour % 3 == 0 { svg += frame.hourLabel(hour, centredOn: x + (barWidth - 4) / 2) }
        }
        svg += "</svg><figcaption>\(title) (\(t("Toronto time", "heure de Toronto"))): "
        svg += hours.enumerated().filter { $0.element > 0 }.map { "\($0.offset)h \($0.element)" }.joined(separator: ", ")
        if hours.allSatisfy({ $0 == 0 }) { svg += t("none yet", "aucun pour l’instant") }
        return svg + "</figcaption></figure>"
    }

    /// A round top for a chart's scale: 1, 2 or 5 times a power of ten, at least `peak`.
    static func roundScale(_ peak: Int) -> Int {
        let peak = max(peak, 1)
        var magnitude = 1
        while magnitude * 10 < peak { magnitude *= 10 }
        return [1, 2, 5, 10].map { $0 * magnitude }.first { $0 >= peak } ?? magnitude * 10
    }

    /// The host's health as the tills saw it: their own latency per hour (median and 99th percentile)
    /// and the day's answers by response code, each an SVG drawn here with a table beside it.
    func host(session: BackOfficeSession, store: String?, day: String, latency: [HostLatencyHour], answers: [HostAnswerCount]) -> String {
        var body = "<p>\(t("Reconciliation day", "Journée de rapprochement")) \(Self.escape(day)) · \(t("as of", "à")) \(time(now)) · "
        body +=
            t(
                "as each till timed its own calls and forwarded them.",
                "tel que chaque caisse a chronométré ses appels et les a transmis.") + "</p>"
        body += latencyChart(latency)
        body += answersChart(answers)
        return layout(
            title: storeTitle(t("Host", "Hôte"), store), session: session, store: store,
            current: "host", body: body)
    }

    /// p50 and p99 latency per hour as paired bars, and the same numbers in a table.
    func latencyChart(_ hours: [HostLatencyHour]) -> String {
        let frame = ChartFrame(width: 720, height: 240, left: 56, bottom: 24, top: 24)
        let left = frame.left
        let scale = Self.roundScale(hours.map(\.p99Ms).max() ?? 0)
        let slot = (frame.width - left) / 24
        let title = t("Host latency per hour (ms): median and 99th percentile", "Latence de l’hôte par heure (ms) : médiane et 99ᵉ centile")
        var svg = frame.opening(id: "latency-title", title: title) + "\n" + frame.axis(scale: "\(scale) ms") + "\n"
        svg += """
            <rect class="p50" x="\(left)" y="4" width="10" height="10"/><text class="legend" x="\(left + 14)" y="13">p50</text>
            <rect class="p99" x="\(left + 50)" y="4" width="10" height="10"/><text class="legend" x="\(left + 64)" y="13">p99</text>
            """
        let byHour = Dictionary(hours.map { ($0.hour, $0) }, uniquingKeysWith: { first, _ in first })
        for hour in 0..<24 {
            let x = left + Double(hour) * slot + 2
            let barWidth = (slot - 4) / 2
            if let h = byHour[hour] {
                for (index, (value, kind)) in [(h.p50Ms, "p50"), (h.p99Ms, "p99")].enumerated() {
                    let barHeight = frame.plotHeight * Double(value) / Double(scale)
                    svg += "<rect class=\"\(kind)\" x=\"\(x + Double(index) * barWidth)\" y=\"\(frame.baseline - barHeight)\" "
                    svg += "width=\"\(barWidth)\" height=\"\(barHeight)\"><title>\(hour):00 \(kind) \(value) ms</title></rect>"
                }
            }
            if hour % 3 == 0 { svg += frame.hourLabel(hour, centredOn: x + (slot - 4) / 2) }
        }
        svg += "</svg><figcaption>\(title) (\(t("Toronto time", "heure de Toronto")))</figcaption></figure>"
        svg += """
            <table><caption>\(t("Host latency per hour", "Latence de l’hôte par heure"))</caption><thead><tr>
            <th scope="col">\(t("Hour", "Heure"))</th><th scope="col">\(t("Calls", "Appels"))</th>
            <th scope="col">p50 (ms)</th><th scope="col">p99 (ms)</th></tr></thead><tbody>
            """
        for h in hours {
            svg += "<tr><td>\(h.hour)h</td><td class=\"n\">\(h.calls)</td><td class=\"n\">\(h.p50Ms)</td><td class=\"n\">\(h.p99Ms)</td></tr>"
        }
        if hours.isEmpty {
            svg += "<tr><td colspan=\"4\">\(t("No timed call yet.", "Aucun appel chronométré pour l’instant."))</td></tr>"
        }
        return svg + "</tbody></table>"
    }

    /// The day's answers by response code as horizontal bars, and the same numbers in a table.
    func answersChart(_ answers: [HostAnswerCount]) -> String {
        let total = answers.reduce(0) { $0 + $1.count }
        let rowHeight = 22.0
        let left = 80.0
        let width = 720.0
        let height = max(1, Double(answers.count)) * rowHeight + 8
        let scale = Self.roundScale(answers.map(\.count).max() ?? 0)
        let title = t("Answers by response code", "Réponses par code")
        var svg = ChartFrame(width: width, height: height, left: left).opening(id: "answers-title", title: title)
        for (index, answer) in answers.enumerated() {
            let y = 4 + Double(index) * rowHeight
            let barWidth = (width - left - 120) * Double(answer.count) / Double(scale)
            let kind = answer.code == "0000" ? "bar" : (answer.code == "none" || answer.code == "pending") ? "noanswer" : "declined"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 14)\" text-anchor=\"end\" font-size=\"12\">\(Self.escape(answer.code))</text>"
            svg += "<rect class=\"\(kind)\" x=\"\(left)\" y=\"\(y + 2)\" width=\"\(barWidth)\" height=\"\(rowHeight - 6)\">"
            svg += "<title>\(Self.escape(answer.code)): \(answer.count)</title></rect>"
            svg +=
                "<text x=\"\(left + barWidth + 6)\" y=\"\(y + 14)\" font-size=\"12\">\(answer.count) (\(Self.percent(answer.count, of: total)))</text>"
        }
        svg += "</svg><figcaption>\(title): "
        svg +=
            answers.isEmpty ? t("none yet", "aucune pour l’instant") : answers.map { "\(Self.escape($0.code)) \($0.count)" }.joined(separator: ", ")
        svg += "</figcaption></figure>"
        svg += """
            <table><caption>\(title)</caption><thead><tr><th scope="col">\(t("Code", "Code"))</th>
            <th scope="col">\(t("Calls", "Appels"))</th><th scope="col">%</th></tr></thead><tbody>
            """
        for answer in answers {
            svg += "<tr><td>\(Self.escape(answer.code))</td><td class=\"n\">\(answer.count)</td>"
            svg += "<td class=\"n\">\(Self.percent(answer.count, of: total))</td></tr>"
        }
        return svg + "</tbody></table>"
    }

    /// A share in whole tenths of a percent, in integers: "12.5%".
    static func percent(_ part: Int, of total: Int) -> String {
        guard total > 0 else { return "0%" }
        let tenths = (part * 1000 + total / 2) / total
        return "\(tenths / 10).\(tenths % 10)%"
    }

    static func advice(_ category: BackOfficeException.Category, _ page: BackOfficePages) -> String {
        switch category {
        case .voidInException:
            page.t(
                "Call the AIR MILES help desk with the confirmation number so the debit is given back; then mark it resolved.",
                "Appelez le centre d’aide AIR MILES avec le numéro de confirmation pour rendre le débit; puis marquez-la résolue.")
        case .reversalInException:
            page.t(
                "Redo the reversal from a till of the store while the window is open, or ask the help desk; then mark it resolved.",
                "Refaites l’annulation depuis une caisse du magasin tant que la fenêtre est ouverte, ou appelez le centre d’aide; puis marquez-la résolue."
            )
        case .unknownPastRetention:
            page.t(
                "Look for the trace in the next daily file: if the host debited the collector, settle it with the help desk.",
                "Cherchez la trace dans le prochain fichier quotidien : si l’hôte a débité le membre, réglez-le avec le centre d’aide.")
        case .reconciliationBreak:
            page.t(
                "Compare the till's journal with the file's record; correct it at the till or with the help desk.",
                "Comparez le journal de la caisse et l’enregistrement du fichier; corrigez à la caisse ou avec le centre d’aide.")
        case .forwardingStale:
            page.t(
                "Check that the till is on and on the network; on the till, run amcash backoffice forward.",
                "Vérifiez que la caisse est allumée et sur le réseau; sur la caisse, lancez amcash backoffice forward.")
        case .earningPending:
            page.t(
                "The till keeps asking AIR MILES; if the miles have not posted by tomorrow, call the help desk with the checkout transaction id.",
                "La caisse redemande à AIR MILES; si les milles ne sont pas portés au compte demain, appelez le centre d’aide avec le numéro de transaction."
            )
        case .earningRefused:
            page.t(
                "The collector did not earn these miles: check the sale and the card, then ask the help desk to credit them by hand if they are owed.",
                "Le membre n’a pas obtenu ces milles : vérifiez la vente et la carte, puis demandez au centre d’aide de les créditer s’ils sont dus.")
        case .earningException:
            page.t(
                "The till no longer sends it (a resend could earn twice): ask the AIR MILES help desk, with the checkout transaction id, whether the miles posted; have them credited by hand if not.",
                "La caisse ne la renvoie plus (un renvoi pourrait cumuler deux fois) : demandez au centre d’aide AIR MILES, avec le numéro de transaction, si les milles ont été portés au compte; sinon, faites-les créditer."
            )
        case .earningFailed:
            page.t(
                "The till sends it again until AIR MILES answers: check that the till reaches the host; the same key means it never earns twice.",
                "La caisse la renvoie jusqu’à ce qu’AIR MILES réponde : vérifiez que la caisse joint l’hôte; la même clé évite tout double cumul.")
        }
    }

    func categoryLabel(_ category: BackOfficeException.Category) -> String {
        switch category {
        case .voidInException: t("void in exception", "rétractation en exception")
        case .reversalInException: t("reversal in exception", "annulation en exception")
        case .unknownPastRetention: t("unknown outcome past retention", "issue inconnue après la rétention")
        case .reconciliationBreak: t("reconciliation break", "écart de rapprochement")
        case .forwardingStale: t("till not forwarding", "caisse sans transmission")
        case .earningPending: t("earning pending too long", "cumul en attente trop longtemps")
        case .earningRefused: t("earning refused", "cumul refusé")
        case .earningFailed: t("earning not answered", "cumul sans réponse")
        case .earningException: t("earning in exception", "cumul en exception")
        }
    }

    func exceptions(session: BackOfficeSession, store: String?, items: [ExceptionItem], recent: [ExceptionResolution]) -> String {
        let unresolved = items.filter { $0.resolution == nil }
        var body = "<p>\(t("Open", "Ouvertes")): <strong id=\"open-count\">\(unresolved.count)</strong></p>"
        if unresolved.isEmpty { body += "<p>\(t("Nothing to look at.", "Rien à examiner."))</p>" }
        let back = Self.path("exceptions", store: store)
        for category in BackOfficeException.Category.allCases {
            let matching = unresolved.filter { $0.exception.category == category }
            guard !matching.isEmpty else { continue }
            body +=
                "<section aria-labelledby=\"c-\(category.rawValue)\"><h2 id=\"c-\(category.rawValue)\">\(categoryLabel(category)) (\(matching.count))</h2>"
            body += "<p class=\"advice\"><strong>\(t("What to do", "Que faire")):</strong> \(Self.escape(Self.advice(category, self)))</p>"
            body += """
                <table><thead><tr><th scope="col">\(t("Store", "Magasin"))</th><th scope="col">\(t("Till", "Caisse"))</th>
                <th scope="col">\(t("Day", "Jour"))</th><th scope="col">\(t("Trace", "Trace"))</th>
                <th scope="col">\(t("Confirmation", "Confirmation"))</th><th scope="col">\(t("Card", "Carte"))</th>
                <th scope="col">\(t("Amount", "Montant"))</th><th scope="col">\(t("Note", "Note"))</th>
                <th scope="col">\(t("Resolve", "Résoudre"))</th></tr></thead><tbody>
                """
            for item in matching {
                let e = item.exception
                let amount = e.dollars.map { text in (try? Money(parsing: text)).map { money(Int64($0.cents)) } ?? text } ?? ""
                let label = "note-\(item.key)"
                body += "<tr id=\"\(Self.escape(item.key))\"><td>\(Self.escape(e.store))</td><td>\(Self.escape(e.device))</td>"
                body += "<td>\(Self.escape(e.day ?? ""))</td><td>\(Self.escape(e.traceId ?? ""))</td>"
                body += "<td>\(Self.escape(e.confirmationNumber ?? ""))</td><td>\(Self.escape(Self.masked(e.card)))</td>"
                let register = e.saleId.map { " (" + t("register sale", "vente de la caisse") + " \($0))" } ?? ""
                body += "<td class=\"n\">\(Self.escape(amount))</td><td>\(Self.escape(e.note + register))</td><td>"
                body += """
                    <form method="post" action="/exceptions/resolve">\(csrfField(session))\
                    <input type="hidden" name="key" value="\(Self.escape(item.key))"><input type="hidden" name="back" value="\(Self.escape(back))">\
                    <label for="\(Self.escape(label))">\(t("What was done", "Ce qui a été fait"))</label> \
                    <input id="\(Self.escape(label))" name="note" required maxlength="500"> \
                    <button type="submit">\(t("Mark resolved", "Marquer résolue"))</button></form></td></tr>
                    """
            }
            body += "</tbody></table></section>"
        }
        body += """
            <section aria-labelledby="resolved"><h2 id="resolved">\(t("Resolved (audit trail)", "Résolues (piste de vérification)"))</h2>
            <table><thead><tr><th scope="col">\(t("When", "Quand"))</th><th scope="col">\(t("Who", "Qui"))</th>
            <th scope="col">\(t("Store", "Magasin"))</th><th scope="col">\(t("Till", "Caisse"))</th>
            <th scope="col">\(t("Exception", "Exception"))</th><th scope="col">\(t("What was done", "Ce qui a été fait"))</th></tr></thead><tbody>
            """
        for line in recent {
            body += "<tr><td>\(time(line.resolvedAt))</td><td>\(Self.escape(line.resolvedBy))</td><td>\(Self.escape(line.store))</td>"
            body += "<td>\(Self.escape(line.device))</td><td>\(Self.escape(line.summary))</td><td>\(Self.escape(line.note))</td></tr>"
        }
        if recent.isEmpty { body += "<tr><td colspan=\"6\">\(t("None yet.", "Aucune pour l’instant."))</td></tr>" }
        body += "</tbody></table></section>"
        return layout(
            title: storeTitle(t("Exceptions", "Exceptions"), store), session: session, store: store,
            current: "exceptions", body: body)
    }

    func reconciliation(session: BackOfficeSession, store: String?, results: [ReconciliationResult]) -> String {
        var body = ""
        if results.isEmpty {
            body += "<p>\(t("No reconciliation has been run in the last 31 days.", "Aucun rapprochement dans les 31 derniers jours."))</p>"
        } else {
            body += """
                <table><thead><tr><th scope="col">\(t("Day", "Jour"))</th><th scope="col">\(t("Sponsor", "Commanditaire"))</th>
                <th scope="col">\(t("File", "Fichier"))</th><th scope="col">\(t("Run at", "Exécuté à"))</th>
                <th scope="col">\(t("Records", "Enregistrements"))</th><th scope="col">\(t("Breaks by class", "Écarts par catégorie"))</th></tr></thead><tbody>
                """
            for result in results {
                let breaks = result.breaksByClass.sorted { $0.key < $1.key }.map { "\(Self.escape($0.key)) \($0.value)" }.joined(separator: ", ")
                body += "<tr\(result.breaksByClass.isEmpty ? "" : " class=\"stale\"")><td>\(Self.escape(result.day))</td>"
                body += "<td>\(Self.escape(result.sponsor))</td><td>\(Self.escape(result.file))</td><td>\(time(result.ranAt))</td>"
                body += "<td class=\"n\">\(result.records)</td><td>\(breaks.isEmpty ? t("none", "aucun") : breaks)</td></tr>"
            }
            body += "</tbody></table>"
        }
        return layout(
            title: storeTitle(t("Reconciliation", "Rapprochement"), store), session: session,
            store: store, current: "reconciliation", body: body)
    }

    /// Only the last four digits of anything that looks like a card number, whatever the database holds.
    static func masked(_ card: String?) -> String {
        guard let card else { return "" }
        let digits = card.filter(\.isNumber)
        guard digits.count > 4, digits.count == card.count else { return card }
        return String(repeating: "•", count: digits.count - 4) + digits.suffix(4)
    }

    static let stylesheet = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #111; background: #fff; }
        header { background: #0b3d6e; color: #fff; padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
        header a, header button { color: #fff; }
        header ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
        header a[aria-current] { font-weight: bold; text-decoration-thickness: 3px; }
        .brand { font-weight: bold; margin: 0; }
        .signout { margin-left: auto; }
        .signout button { background: transparent; border: 1px solid #fff; padding: .2rem .6rem; }
        main { padding: 1rem; }
        table { border-collapse: collapse; margin: 1rem 0; }
        th, td { border: 1px solid #bbb; padding: .25rem .5rem; text-align: left; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        tr.stale { background: #fde2e1; }
        .warning, .error { background: #fde2e1; border-left: 6px solid #b00020; padding: .5rem; }
        .advice { background: #eef4fb; padding: .5rem; }
        rect.bar, rect.p50 { fill: #0b3d6e; }
        rect.p99 { fill: #7fa7d1; }
        rect.declined { fill: #b35c00; }
        rect.noanswer { fill: #b00020; }
        .legend { font-size: 11px; }
        a:focus, button:focus, input:focus { outline: 3px solid #f2a900; outline-offset: 2px; }
        """
}
