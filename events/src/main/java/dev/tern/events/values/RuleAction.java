package dev.tern.events.values;

/** What a policy rule does with matching traffic. */
public enum RuleAction implements WireName {
    ACCEPT("accept"), DROP("drop");

    private final String wireName;

    RuleAction(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    public static RuleAction parse(String text) {
        return WireName.parse(RuleAction.class, text, "rule action");
    }
}
