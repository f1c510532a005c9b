public import Testing

// Testable for the scanner's burst, the one internal part of the model: the store carries it over unstated.
@testable public import ConsoleCore

extension UpdateStore {
    /// A store over the console's model. The one part of the model its tests do not state is the
    /// scanner's burst (internal): key-timing bookkeeping whose consequences, a card read as scanned
    /// and the burst taken back out of the field it fell into, are in the screen and the effects,
    /// which are stated. Shared, so the core's and the views' tests start their stores alike.
    public static func console(_ model: Model, time: Int64 = 0) -> UpdateStore {
        UpdateStore(model, time: time, unstated: { expected, actual in expected.scanner = actual.scanner })
    }

    /// A store on the offer screen for the plenty collector and a $43.35 basket, each step on the way stated.
    public static func atTheOffer(settings: ConsoleSettings = Fixtures.settings, sourceLocation: SourceLocation = #_sourceLocation) -> UpdateStore {
        let store = console(Model(settings: settings))
        store.toTheOffer(sourceLocation: sourceLocation)
        return store
    }
}
