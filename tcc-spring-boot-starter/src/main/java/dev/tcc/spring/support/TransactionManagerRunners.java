package dev.tcc.spring.support;

import dev.tcc.spi.LocalTransactionRunner;
import dev.tcc.spring.InvalidTccDefinitionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.annotation.BeanFactoryAnnotationUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.ResourceTransactionManager;

/**
 * Resolves the {@link LocalTransactionRunner} of a participant from the name of its
 * {@link PlatformTransactionManager} bean (empty: the primary or only one), one runner per
 * transaction manager; also resolves {@code @Transactional} qualifiers to bean names. The runner's database is the manager's {@link DataSource}.
 */
public final class TransactionManagerRunners {

    private final ConfigurableListableBeanFactory beanFactory;
    private final Map<String, SpringLocalTransactionRunner> runners = new ConcurrentHashMap<>();

    public TransactionManagerRunners(ConfigurableListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    /**
     * The runner of the transaction manager named {@code beanName} (empty for the primary one).
     *
     * @param requiredBy the annotated method, for messages
     * @throws InvalidTccDefinitionException when no such manager exists or it has no DataSource
     */
    public SpringLocalTransactionRunner forTransactionManager(String beanName, String requiredBy) {
        String name = beanName.isEmpty() ? primaryName(requiredBy) : beanName;
        return runners.computeIfAbsent(name, n -> create(n, requiredBy));
    }

    private SpringLocalTransactionRunner create(String name, String requiredBy) {
        PlatformTransactionManager manager;
        try {
            manager = beanFactory.getBean(name, PlatformTransactionManager.class);
        } catch (NoSuchBeanDefinitionException e) {
            throw new InvalidTccDefinitionException(requiredBy + " names transaction manager '" + name
                    + "' but there is no PlatformTransactionManager bean of that name",
                    "Name one of " + List.of(beanFactory.getBeanNamesForType(PlatformTransactionManager.class))
                            + " in @Try(transactionManager = ...) or @Transactional(...), or name none for the primary one.");
        }
        DataSource dataSource = dataSourceOf(manager);
        if (dataSource == null) {
            throw new InvalidTccDefinitionException(requiredBy + " uses transaction manager '" + name + "' of type ["
                    + manager.getClass().getName() + "], which exposes no DataSource",
                    "Use a DataSourceTransactionManager/JdbcTransactionManager (or one with a 'dataSource' property) for TCC participants.");
        }
        return new SpringLocalTransactionRunner(name, manager, dataSource);
    }

    /**
     * The bean name of the transaction manager a {@code @Transactional} qualifier selects (a bean
     * name, an alias or a {@code @Qualifier} value, as Spring matches them), or the qualifier itself
     * when none matches (the runner then reports it as unknown).
     */
    public String beanNameFor(String qualifier) {
        for (String name : beanFactory.getBeanNamesForType(PlatformTransactionManager.class)) {
            if (BeanFactoryAnnotationUtils.isQualifierMatch(qualifier::equals, name, beanFactory)) {
                return name;
            }
        }
        return qualifier;
    }

    /** The primary or only transaction manager's bean name, or null when there is none or no single primary one. */
    public String defaultName() {
        String[] names = beanFactory.getBeanNamesForType(PlatformTransactionManager.class);
        if (names.length == 1) {
            return names[0];
        }
        List<String> primary = new ArrayList<>();
        for (String name : names) {
            if (beanFactory.containsBeanDefinition(name) && beanFactory.getBeanDefinition(name).isPrimary()) {
                primary.add(name);
            }
        }
        return primary.size() == 1 ? primary.get(0) : null;
    }

    private String primaryName(String requiredBy) {
        String name = defaultName();
        if (name != null) {
            return name;
        }
        String[] names = beanFactory.getBeanNamesForType(PlatformTransactionManager.class);
        throw new InvalidTccDefinitionException(requiredBy + " names no transaction manager and there is no single primary one among "
                + List.of(names), names.length == 0
                ? "Define a PlatformTransactionManager bean (spring-boot-starter-jdbc does it for a single DataSource)."
                : "Name one with @Try(transactionManager = \"...\") or mark one @Primary.");
    }

    /** The DataSource a transaction manager works on, or null. */
    public static DataSource dataSourceOf(PlatformTransactionManager manager) {
        if (manager instanceof DataSourceTransactionManager jdbc) {
            return jdbc.getDataSource();
        }
        if (manager instanceof ResourceTransactionManager resource && resource.getResourceFactory() instanceof DataSource ds) {
            return ds;
        }
        BeanWrapperImpl wrapper = new BeanWrapperImpl(manager);
        if (wrapper.isReadableProperty("dataSource") && wrapper.getPropertyValue("dataSource") instanceof DataSource ds) {
            return ds; // JpaTransactionManager, HibernateTransactionManager
        }
        return null;
    }
}
