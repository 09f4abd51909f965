package dev.tcc.sample.common;

/** Card numbers as pages, messages and logs show them. */
public final class Cards {

    private Cards() {
    }

    /** The last four digits: {@code **** 1111}. */
    public static String mask(String card) {
        return card == null || card.length() < 4 ? "****" : "**** " + card.substring(card.length() - 4);
    }
}
