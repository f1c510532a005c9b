public import AMCashDomain
public import ReceiptPrinting

/// Every string the console shows, in English and French (Canada).
public enum ConsoleText {
    static func t(_ english: String, _ french: String) -> LocalizedText { LocalizedText(english: english, french: french) }

    /// The partner's own names: "AIR MILES Cash", "Argent AIR MILES".
    public static let title = t("AIR MILES Cash", "Argent AIR MILES")
    public static let training = t("TRAINING — CERT simulator, test cards only", "FORMATION — simulateur CERT, cartes d’essai seulement")
    public static let trainingCompact = t("TRAINING (CERT)", "FORMATION (CERT)")
    public static let basket = t("Basket total (after tax)", "Total de la vente (taxes incluses)")
    public static let card = t("Collector card", "Carte d’adhérent")
    public static func fromRegister(_ saleId: String) -> LocalizedText {
        t("Sale \(saleId) from the register: its totals are the register's.", "Vente \(saleId) de la caisse : ses totaux sont ceux de la caisse.")
    }
    public static let scanPrompt = t("Scan or swipe the collector's card.", "Balayez ou glissez la carte de l’adhérent.")
    public static let keyedBalanceOnly = t("Balance only — scan the card to redeem", "Solde seulement — balayez la carte pour échanger")
    public static let lookingUp = t("Looking up the collector…", "Recherche de l’adhérent…")
    public static func cancelsTheWait(_ key: String) -> LocalizedText { t("\(key) cancels the wait", "\(key) annule l’attente") }
    public static let amCash = t("AM Cash", "Argent AM")
    public static let dream = t("Dream", "Rêves")
    public static let miles = t("miles", "milles")
    public static let balanceHidden = t("Balance not shown", "Solde non affiché")
    public static let canRedeem = t("Can redeem on this sale", "Échange possible sur cette vente")
    public static let todayLeft = t("Daily limit", "Limite quotidienne")
    public static let redeemAmount = t("Redeem", "Échanger")
    public static let nothingToRedeem = t("Nothing can be redeemed on this sale.", "Aucun échange possible sur cette vente.")
    public static let confirmQuestion = t("Apply this AIR MILES Cash discount?", "Appliquer ce rabais Argent AIR MILES?")
    public static let redeeming = t("Redeeming with AIR MILES…", "Échange auprès d’AIR MILES…")
    public static let confirming = t("Confirming with AIR MILES…", "Confirmation auprès d’AIR MILES…")
    public static let approved = t("APPROVED", "APPROUVÉ")
    public static let declined = t("NOT APPROVED", "REFUSÉ")
    public static let unknown = t("NOT CONFIRMED", "NON CONFIRMÉ")
    public static func saleEarns(_ miles: Int) -> LocalizedText {
        t("This sale earns \(miles) miles", "Cette vente rapporte \(miles) milles")
    }
    public static let milesEarned = t("Miles earned", "Milles obtenus")
    public static let milesPending = t("pending", "en attente")
    public static let milesNotEarned = t("not earned (refused)", "non obtenus (refusé)")
    public static let receiptAfterMiles = t("The receipt prints with the miles", "Le reçu s’imprimera avec les milles")
    public static let saleFinished = t("SALE FINISHED", "VENTE TERMINÉE")
    public static let noRedemption = t("No AIR MILES Cash discount on this sale.", "Aucun rabais Argent AIR MILES sur cette vente.")
    public static let confirmation = t("Confirmation number", "Numéro de confirmation")
    public static let discount = t("Discount to apply", "Rabais à appliquer")
    public static let newBalance = t("New AM Cash balance", "Nouveau solde Argent AM")
    public static let unknownAdvice = t(
        "Do NOT give the discount. Take another tender. If AIR MILES took the miles, this till gives them back on its own.",
        "NE PAS accorder le rabais. Prenez un autre mode de paiement. Si AIR MILES a pris les milles, ce terminal les rend de lui-même.")
    public static let reverseTitle = t("Reverse a redemption", "Annuler un échange")
    public static let noReversible = t("No redemption can be reversed now.", "Aucun échange ne peut être annulé maintenant.")
    public static let typeConfirmation = t("Find confirmation number", "Chercher un n° de confirmation")
    public static let noMatch = t(
        "No reversible redemption has that confirmation number.", "Aucun échange annulable ne porte ce numéro de confirmation.")
    public static let reverseQuestion = t("Reverse this redemption and give the miles back?", "Annuler cet échange et rendre les milles?")
    public static let reverseScanPrompt = t(
        "To reverse it, scan or swipe the collector's card again.",
        "Pour l’annuler, lisez ou glissez de nouveau la carte du membre.")
    public static let reverseNeedsCard = t(
        "Scan or swipe the collector's card to reverse: a typed number cannot reverse.",
        "Lisez ou glissez la carte du membre pour annuler : un numéro saisi ne peut pas annuler.")
    public static func reverseWrongCard(_ masked: String) -> LocalizedText {
        t(
            "That is not the card of this redemption (\(masked)). Nothing was sent.",
            "Ce n’est pas la carte de cet échange (\(masked)). Rien n’a été envoyé.")
    }
    public static let reversing = t("Reversing with AIR MILES…", "Annulation auprès d’AIR MILES…")
    public static let reversed = t("REVERSED", "ANNULÉ")
    public static let reversalQueued = t("QUEUED — will be retried", "EN ATTENTE — nouvel essai automatique")
    public static let reversalException = t("NOT REVERSED — see the supervisor", "NON ANNULÉ — voir le superviseur")
    /// A REVERSE refused because another transaction for the collector is in progress (it clears itself).
    public static let reversalCollectorBusy = t("NOT REVERSED — try again in a moment", "NON ANNULÉ — réessayez dans un instant")
    public static let reversalCollectorBusyHint = t(
        "Another transaction for this collector is in progress. Nothing was reversed: the redemption stands. Try again in a moment.",
        "Une autre transaction est en cours pour ce membre. Rien n’a été annulé : l’échange tient toujours. Réessayez dans un instant.")
    public static let returnTitle = t("Return a sale", "Retour d’un achat")
    public static let noReturnable = t(
        "No sale of today earned miles at this till. (Another day's: amcash return --original ID.)",
        "Aucune vente d’aujourd’hui n’a rapporté de milles à ce terminal. (Autre jour : amcash return --original ID.)")
    public static let typeTransactionId = t("Find transaction id", "Chercher un n° de transaction")
    public static let noReturnMatch = t("No sale of today has that transaction id.", "Aucune vente d’aujourd’hui ne porte ce n° de transaction.")
    public static let transactionId = t("Transaction id", "N° de transaction")
    public static let returnQuestion = t(
        "Return this whole sale and take back the miles it earned?", "Retourner toute cette vente et reprendre les milles obtenus?")
    public static let wholeSaleOnly = t(
        "The whole sale is returned: its miles go back to AIR MILES.", "Toute la vente est retournée : ses milles retournent à AIR MILES.")
    public static let itemsQuestion = t(
        "Tick the items the customer brings back.", "Cochez les articles que le client rapporte.")
    public static let itemsAlreadyReturned = t("already returned", "déjà retourné")
    /// The items going back that the question's screen has no room for.
    public static func itemsMore(_ count: Int) -> LocalizedText {
        count == 1 ? t("… and 1 more", "… et 1 autre") : t("… and \(count) more", "… et \(count) autres")
    }
    /// The items already returned that a page of the checklist has no room for.
    public static func itemsMoreReturned(_ count: Int) -> LocalizedText {
        count == 1
            ? t("… and 1 more already returned", "… et 1 autre déjà retourné")
            : t("… and \(count) more already returned", "… et \(count) autres déjà retournés")
    }
    public static let itemsChosen = t("Items going back", "Articles retournés")
    public static func itemsReturnQuestion(_ count: Int) -> LocalizedText {
        count == 1
            ? t("Return this item and take back the miles it earned?", "Retourner cet article et reprendre les milles obtenus?")
            : t(
                "Return these \(count) items and take back the miles they earned?", "Retourner ces \(count) articles et reprendre les milles obtenus?"
            )
    }
    public static let itemsOnly = t(
        "Only these items go back; AIR MILES computes their miles.", "Seuls ces articles sont retournés; AIR MILES calcule leurs milles.")
    public static let returning = t("Returning with AIR MILES…", "Retour auprès d’AIR MILES…")
    public static let returned = t("RETURNED", "RETOURNÉ")
    public static let returnPending = t("RETURN PENDING", "RETOUR EN ATTENTE")
    public static let returnPendingAdvice = t(
        "The till sends it until AIR MILES answers; the collector's miles go back then.",
        "Le terminal l’envoie jusqu’à la réponse d’AIR MILES; les milles sont repris à ce moment.")
    public static let returnRefused = t("NOT RETURNED — see the supervisor", "NON RETOURNÉ — voir le superviseur")
    public static let milesTakenBack = t("Miles taken back", "Milles repris")
    public static let returnedSale = t("Sale returned", "Vente retournée")
    public static let historyTitle = t("Today's transactions", "Transactions du jour")
    public static let noHistory = t("No transactions today.", "Aucune transaction aujourd’hui.")
    public static let helpTitle = t("Keys", "Touches")
    public static let testCollectors = t("Test cards (CERT)", "Cartes d’essai (CERT)")
    public static let connectionUp = t("host OK", "hôte OK")
    public static let connectionDown = t("host DOWN", "hôte HORS LIGNE")
    public static let connectionUnknown = t("host ?", "hôte ?")
    public static let pending = t("pending", "en attente")
    public static let resolving = t("Resolving pending transactions from the journal…", "Résolution des transactions en attente du journal…")
    public static let preTax = t("Sale total before tax", "Total de la vente avant taxes")
    public static let badPreTax = t("Key the sale's total before tax, e.g. 39.50.", "Entrez le total avant taxes, p. ex. 39,50.")
    public static let badBasket = t("Key the basket total first, e.g. 43.35.", "Entrez d’abord le total, p. ex. 43,35.")
    public static func quitHint(_ key: String) -> LocalizedText { t("Press \(key) to quit.", "Appuyez sur \(key) pour quitter.") }
    public static let supervisorTitle = t("Supervisor: enter the PIN to leave the kiosk", "Superviseur : entrez le NIP pour quitter le kiosque")
    public static let supervisorPin = t("PIN", "NIP")
    public static let checkingPin = t("Checking…", "Vérification…")
    public static let wrongPin = t("Wrong PIN.", "NIP erroné.")
    public static func pinLocked(_ seconds: Int) -> LocalizedText {
        t("Too many wrong PINs: wait \(seconds) s.", "Trop de NIP erronés : attendez \(seconds) s.")
    }
    public static let receiptWritten = t("Receipt printed", "Reçu imprimé")
    public static let receiptNotPrinted = t(
        "Receipt not printed: R prints it when the printer is back", "Reçu non imprimé : R l'imprime quand l'imprimante est de retour")
    /// The result screen's word on its receipt: printed, unless the printer said otherwise.
    public static func receiptLine(_ status: StatusLine) -> LocalizedText {
        status.printer == nil && status.unprintedReceipts == 0 ? receiptWritten : receiptNotPrinted
    }
    /// The status line's word on the receipt printer: what is wrong, and how many receipts wait for R.
    public static func printerState(_ problem: PrinterProblem?, unprinted: Int) -> LocalizedText {
        let englishProblem = problem.map { "printer: " + $0.text(french: false) } ?? "printer: back"
        let frenchProblem = problem.map { "imprimante : " + $0.text(french: true) } ?? "imprimante : de retour"
        guard unprinted > 0 else { return t(englishProblem, frenchProblem) }
        return t(
            englishProblem + " - \(unprinted) receipt\(unprinted == 1 ? "" : "s") not printed (R on a result reprints)",
            frenchProblem + " - \(unprinted) reçu\(unprinted == 1 ? "" : "s") non imprimé\(unprinted == 1 ? "" : "s") (R sur un résultat réimprime)")
    }
    /// How the card was read, beside its masked number.
    public static func entryMode(_ mode: CardEntryMode) -> LocalizedText {
        switch mode {
        case .scan: t("scanned", "lue")
        case .swipe: t("swiped", "glissée")
        case .manual: t("keyed", "saisie")
        }
    }
    public static let traceNumber = t("Trace number", "Numéro de trace")
    public static let reversedRedemption = t("Redemption reversed", "Échange annulé")
    /// The redemption a reversal refused before anything was sent left as it was (not "reversed").
    public static let redemptionStands = t("Redemption (stands)", "Échange (maintenu)")
    /// A journal row's kind on the history screen.
    public static func historyKind(_ raw: String) -> LocalizedText {
        switch raw {
        case "REDEEM": t("Redeem", "Échange")
        case "REVERSE": t("Reverse", "Annul.")
        default: t(raw, raw)
        }
    }
    /// A journal row's state on the history screen, as the cashier understands it.
    public static func historyState(_ raw: String) -> LocalizedText {
        switch raw {
        case "shown": t("approved", "approuvé")
        case "approved": t("approved", "approuvé")
        case "sending": t("sending", "envoi")
        case "declined": t("declined", "refusé")
        case "unknown": t("unknown", "inconnu")
        case "reversing": t("reversing", "annulation")
        case "reversed": t("reversed", "annulé")
        case "voiding": t("giving back", "retour")
        case "voided": t("given back", "rendu")
        case "exception": t("supervisor", "superviseur")
        default: t(raw, raw)
        }
    }
    public static let tooSmall = t("Window too small: 40×12 at least", "Fenêtre trop petite : 40×12 au minimum")

    // Legend labels.
    public static let keyHelp = t("Help", "Aide")
    public static let keyLanguage = t("Français", "English")
    public static let keyReverse = t("Reverse", "Annuler")
    public static let keyReturn = t("Return", "Retour achat")
    public static let keyHistory = t("History", "Historique")
    public static let keyQuit = t("Quit", "Quitter")
    public static let keyBack = t("Back", "Retour")
    public static let keyConfirm = t("Confirm", "Confirmer")
    public static let keyMore = t("+$10", "+10 $")
    public static let keyLess = t("-$10", "-10 $")
    public static let keyMax = t("Max", "Max")
    public static let keyNone = t("None", "Aucun")
    public static let keyYes = t("Yes", "Oui")
    public static let keyNo = t("No", "Non")
    public static let keyNewSale = t("New sale", "Nouvelle vente")
    public static let keySelect = t("Select", "Choisir")
    public static let keyToggle = t("Tick", "Cocher")
    public static let keyReturnChosen = t("Return ticked", "Retourner cochés")
    public static let keyReturnAll = t("Return all", "Tout retourner")
    public static let keyReceipt = t("Receipt", "Reçu")
    public static let keyNextField = t("Next field", "Champ suivant")
    public static let keySupervisor = t("Supervisor", "Superviseur")
    public static let keySubmit = t("Look up", "Chercher")
    public static let keyDelete = t("Delete", "Effacer")
    public static let keyClear = t("Clear", "Effacer tout")
    public static let keyPrevious = t("Previous", "Précédent")
    public static let keyNext = t("Next", "Suivant")
    public static let keyFinish = t("End exercise", "Terminer l’exercice")
    public static let keyStart = t("Start", "Commencer")
    public static let keyNextExercise = t("Next exercise", "Exercice suivant")
    public static let exerciseOf = t("Exercise", "Exercice")
    public static let traineeLabel = t("Trainee", "Stagiaire")
    public static func storyStart(_ key: String) -> LocalizedText {
        t(
            "Serve this customer as you would at the till. Press \(key) when the sale is over.",
            "Servez ce client comme à la caisse. Appuyez sur \(key) quand la vente est finie.")
    }
    public static let discountQuestion = t(
        "Did you give the customer the AIR MILES Cash discount?",
        "Avez-vous accordé au client le rabais Argent AIR MILES?")
    public static let checkingExercise = t("Checking the journal and the AIR MILES ledger…", "Vérification du journal et du registre AIR MILES…")
    public static let exercisePassed = t("Well done: every check passed.", "Bravo : toutes les vérifications sont réussies.")
    public static let exerciseFailed = t("Not yet: read what went wrong.", "Pas encore : lisez ce qui n’a pas marché.")
    public static let hintTitle = t("Hint", "Indice")
    /// Short, so a 40-column legend keeps the page key beside Help and Back.
    public static let keyPreviousPage = t("Previous", "Précédente")
    public static let keyNextPage = t("More", "Suite")
    public static func helpPage(_ page: Int, of pages: Int) -> LocalizedText { t("page \(page) of \(pages)", "page \(page) de \(pages)") }
}
