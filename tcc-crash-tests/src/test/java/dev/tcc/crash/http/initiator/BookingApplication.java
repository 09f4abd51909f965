package dev.tcc.crash.http.initiator;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The initiator service of the crash test across HTTP, run in a child JVM on the port the test chose (the participant
 * stores the coordinator URL with its hold, so a restart must come back on the same port), with its transaction log
 * in its own database. With {@code crash.mode=call} it makes one booking ({@link BookingService#bookAndHang}),
 * which calls the participant, prints {@code CALLED <xid>} and blocks until the test kills the process; with
 * {@code crash.mode=serve} it only serves its coordinator endpoint. Settings: {@code http-initiator.properties} and
 * the parent's system properties (port, database, participant URL, signing secret).
 */
@SpringBootApplication
public class BookingApplication {

    public static void main(String[] args) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(BookingApplication.class)
                .properties("spring.config.name=http-initiator")
                .run(args);
        System.out.println("STARTED " + context.getEnvironment().getProperty("local.server.port"));
        System.out.flush();
        if ("call".equals(System.getProperty("crash.mode"))) {
            try {
                context.getBean(BookingService.class).bookAndHang(System.getProperty("crash.booking", "booking-1"));
            } catch (Throwable e) {
                System.out.println("FAILED " + e);
                e.printStackTrace(System.out);
                System.out.flush();
                Runtime.getRuntime().halt(1);
            }
        }
        // serve: Tomcat's threads keep the process alive until the test stops it
    }
}
