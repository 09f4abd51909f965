package dev.tcc.spring.support;

import dev.tcc.spi.LocalTransactionRunner;
import dev.tcc.spring.InvalidTccDefinitionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.aop.framework.Advised;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.beans.DirectFieldAccessor;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.annotation.BeanFactoryAnnotationUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.annotation.TransactionManagementConfigurer;
import org.springframework.transaction.interceptor.TransactionInterceptor;
import org.springframework.transaction.support.ResourceTransactionManager;
import org.springframework.util.StringUtils;

/**
 * Resolves the {@link LocalTransactionRunner} of a participant from the name of its
 * {@link PlatformTransactionManager} bean (empty: the primary or only one), one runner per
 * transaction manager; also resolves {@code @Transactional} qualifiers to bean names and finds the
 * manager Spring's {@code @Transactional} would choose ({@link #chosenBySpring}). The runner's database is the manager's {@link DataSource}.
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

    /**
     * The bean name of the transaction manager Spring's {@code @Transactional} interceptor runs a
     * method of {@code targetClass} in, in Spring's own order: the attribute's {@code qualifier},
     * a {@code @Qualifier} on the class, the interceptor's transaction manager bean name, the
     * manager of a {@link TransactionManagementConfigurer} (through the interceptor, which holds
     * it), and only then the primary or only one. Null when that last step finds no single one.
     *
     * @param qualifier   the {@code @Transactional} qualifier, null or empty for none
     * @param targetClass the bean's user class
     * @throws InvalidTccDefinitionException when the configurer's manager is no bean of the context
     */
    public String chosenBySpring(String qualifier, Class<?> targetClass) {
        if (StringUtils.hasText(qualifier)) {
            return beanNameFor(qualifier);
        }
        String onClass = targetClass == null ? null : BeanFactoryAnnotationUtils.getQualifierValue(targetClass);
        if (StringUtils.hasText(onClass)) {
            return beanNameFor(onClass);
        }
        TransactionInterceptor interceptor = beanFactory.getBeanProvider(TransactionInterceptor.class).getIfUnique();
        String interceptorsName = interceptor == null ? null  // set by <tx:annotation-driven transaction-manager="...">; its getter is protected
                : (String) new DirectFieldAccessor(interceptor).getPropertyValue("transactionManagerBeanName");
        if (StringUtils.hasText(interceptorsName)) {
            return beanNameFor(interceptorsName);
        }
        TransactionManager configured = interceptor != null ? interceptor.getTransactionManager() : configurerManager();
        if (configured != null) {
            return beanNameOf(configured);
        }
        return defaultName();
    }

    private TransactionManager configurerManager() {
        TransactionManagementConfigurer configurer = beanFactory.getBeanProvider(TransactionManagementConfigurer.class).getIfUnique();
        return configurer == null ? null : configurer.annotationDrivenTransactionManager();
    }

    /** The bean name of {@code manager}, looking through a lazy-resolution proxy. */
    private String beanNameOf(TransactionManager manager) {
        Object target = manager;
        if (manager instanceof Advised advised) {
            try {
                target = advised.getTargetSource().getTarget();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot resolve the target of transaction manager proxy [" + manager + "]", e);
            }
        }
        for (String name : beanFactory.getBeanNamesForType(TransactionManager.class)) {
            if (beanFactory.getBean(name) == target) {
                return name;
            }
        }
        throw new InvalidTccDefinitionException("The TransactionManagementConfigurer's annotationDrivenTransactionManager() returns ["
                + target + "], which is no bean of the application context, so the TCC barrier cannot commit with it",
                "Return a transaction manager bean from the configurer, or name the manager in @Try(transactionManager = \"...\").");
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
