package dev.tcc.sample;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The page and its script are served by the application (the browser check in src/test/browser drives them). */
class PageTests extends AbstractBookingHttpTests {

    @Test
    void theRootServesThePageWithItsFormScenariosAndScript() {
        Response page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw().body()).contains("id=\"book-form\"", "data-scenario=\"PAYMENT_DECLINED\"", "data-scenario=\"HOTEL_SLOW\"",
                "data-scenario=\"PAYMENT_DOWN\"", "<script src=\"app.js\">");
        Response script = get("/app.js");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.raw().body()).contains("fetch('/bookings'", "'/inventory'", "'/transactions'", "autobook",
                "b.service", "b.participant"); // each branch shows the service it lives on and its participant endpoint
        assertThat(get("/style.css").status()).isEqualTo(200);
    }

    @Test
    void theParticipantsCanBeTakenDownAndBroughtBack() {
        Response down = post("/participants/hotels/outage?seconds=30", "", null);
        assertThat(down.status()).isEqualTo(200);
        assertThat(get("/participants").body().get("services").get(1).get("down").asBoolean()).isTrue();
        Response up = send("DELETE", "/participants/hotels/outage");
        assertThat(up.status()).isEqualTo(200);
        assertThat(get("/participants").body().get("services").get(1).get("down").asBoolean()).isFalse();
        assertThat(post("/participants/nowhere/outage", "", null).status()).isEqualTo(400);
    }

    private Response send(String method, String path) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + path))
                    .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build();
            var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response, json.readTree(response.body()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
