package dev.tcc.spring.http;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.tcc.runtime.TccRuntime;
import dev.tcc.runtime.http.CoordinatorEndpoint;
import dev.tcc.runtime.http.EndpointAnswer;
import dev.tcc.runtime.http.ParticipantEndpoint;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/** The routes pass the request as received to the runtime's endpoint logic and copy its answer back. */
class TccEndpointsRouterTests {

    private final TccRuntime runtime = mock(TccRuntime.class);
    private final ParticipantEndpoint participant = mock(ParticipantEndpoint.class);
    private final CoordinatorEndpoint coordinator = mock(CoordinatorEndpoint.class);
    private final MockMvc mvc = MockMvcBuilders.routerFunctions(
            new TccEndpointsRouter(() -> runtime).routes("/tcc/participant", "/tcc/coordinator/")).build();

    TccEndpointsRouterTests() {
        when(runtime.participantEndpoint()).thenReturn(participant);
        when(runtime.coordinatorEndpoint()).thenReturn(coordinator);
    }

    @Test
    void aPhaseTwoRequestReachesTheParticipantEndpointWithItsRawPathSignatureAndBody() throws Exception {
        when(participant.handle(eq("POST"), eq("/tcc/participant/a%3Ab/7/confirm?action=hold%20seats"), eq("a:b"), eq("7"),
                eq("confirm"), eq("hold seats"), eq("v1;key=k1;ts=1;sig=x"), eq(new byte[0])))
                .thenReturn(new EndpointAnswer(208, Map.of(), "{\"xid\":\"a:b\",\"branch\":\"7\",\"state\":\"CONFIRMED\"}"));

        mvc.perform(post(java.net.URI.create("/tcc/participant/a%3Ab/7/confirm?action=hold%20seats")).header("Tcc-Signature", "v1;key=k1;ts=1;sig=x"))
                .andExpect(status().is(208))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(content().string("{\"xid\":\"a:b\",\"branch\":\"7\",\"state\":\"CONFIRMED\"}"));
    }

    @Test
    void aRangeCancelWithoutSignatureIsPassedOnForTheRuntimeToRefuse() throws Exception {
        when(participant.handle(eq("POST"), eq("/tcc/participant/x1/1000-1999/cancel"), eq("x1"), eq("1000-1999"), eq("cancel"),
                eq(null), eq(null), any())).thenReturn(new EndpointAnswer(401, Map.of(), "{\"state\":null,\"message\":\"unsigned\"}"));

        mvc.perform(post("/tcc/participant/x1/1000-1999/cancel")).andExpect(status().isUnauthorized());
    }

    @Test
    void aDecisionQuestionReachesTheCoordinatorEndpointAndItsSignedAnswerComesBack() throws Exception {
        when(coordinator.handle(eq("POST"), eq("/tcc/coordinator/x1/7/decision"), eq("x1"), eq("7"), eq("sig"), any()))
                .thenReturn(new EndpointAnswer(200, Map.of("Tcc-Signature", "v1;key=k1;ts=2;sig=y"), "{\"decision\":\"CANCEL\"}"));

        mvc.perform(post("/tcc/coordinator/x1/7/decision").header("Tcc-Signature", "sig"))
                .andExpect(status().isOk())
                .andExpect(header().string("Tcc-Signature", "v1;key=k1;ts=2;sig=y"))
                .andExpect(content().string("{\"decision\":\"CANCEL\"}"));
    }
}
