import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Waits until a broker answers metadata requests, then creates the missing topics, all in one JVM
 * because a JVM start per topic would make deploy/kafka.sh start slow.
 *
 * <p>Usage: EnsureTopics BOOTSTRAP TIMEOUT_SECONDS NAME:PARTITIONS[:KEY=VALUE[,KEY=VALUE...]]...
 *
 * <p>Exit codes: 0 all topics exist with the wanted partition count, 1 the broker never answered,
 * 2 a topic exists with another partition count, 3 usage error or topic creation failed.
 */
public final class EnsureTopics {

    private static final short REPLICATION_FACTOR = 1;

    private EnsureTopics() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: EnsureTopics BOOTSTRAP TIMEOUT_SECONDS NAME:PARTITIONS[:K=V,...]...");
            System.exit(3);
        }
        String bootstrap = args[0];
        Instant deadline = Instant.now().plusSeconds(Long.parseLong(args[1]));
        List<NewTopic> wanted = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            wanted.add(parseTopic(args[i]));
        }
        try (Admin admin = Admin.create(adminConfig(bootstrap))) {
            if (!awaitMetadata(admin, deadline)) {
                System.err.println("kafka: broker at " + bootstrap + " did not answer in time");
                System.exit(1);
            }
            System.exit(ensure(admin, wanted));
        }
    }

    /** Parses NAME:PARTITIONS[:K=V,...] into a single-replica topic spec. */
    private static NewTopic parseTopic(String spec) {
        String[] parts = spec.split(":", 3);
        if (parts.length < 2 || parts[0].isEmpty()) {
            System.err.println("kafka: bad topic spec '" + spec + "', want NAME:PARTITIONS[:K=V,...]");
            System.exit(3);
        }
        NewTopic topic = new NewTopic(parts[0], Integer.parseInt(parts[1]), REPLICATION_FACTOR);
        if (parts.length == 3 && !parts[2].isEmpty()) {
            Map<String, String> configs = new HashMap<>();
            for (String pair : parts[2].split(",")) {
                String[] kv = pair.split("=", 2);
                configs.put(kv[0], kv.length == 2 ? kv[1] : "");
            }
            topic.configs(configs);
        }
        return topic;
    }

    /** Short timeouts so that a broker still starting is retried rather than waited on. */
    private static Properties adminConfig(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "listing-guard-ensure-topics");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        return props;
    }

    /** True once the broker lists at least one node and its topics, false at the deadline. */
    private static boolean awaitMetadata(Admin admin, Instant deadline) throws InterruptedException {
        while (Instant.now().isBefore(deadline)) {
            try {
                boolean hasNode = !admin.describeCluster().nodes().get().isEmpty();
                admin.listTopics().names().get();
                if (hasNode) {
                    return true;
                }
            } catch (ExecutionException e) {
                // Not ready yet: the broker refuses connections or has no controller elected.
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** Creates what is missing and checks the partition count of what exists; returns the exit code. */
    private static int ensure(Admin admin, List<NewTopic> wanted) throws InterruptedException {
        Set<String> existing;
        try {
            existing = admin.listTopics().names().get();
        } catch (ExecutionException e) {
            System.err.println("kafka: listing topics failed: " + e.getCause());
            return 3;
        }
        List<NewTopic> missing = new ArrayList<>();
        List<String> present = new ArrayList<>();
        for (NewTopic topic : wanted) {
            if (existing.contains(topic.name())) {
                present.add(topic.name());
            } else {
                missing.add(topic);
            }
        }
        int status = createAll(admin, missing);
        if (status != 0) {
            return status;
        }
        status = checkPartitions(admin, wanted);
        if (status == 0) {
            System.err.println("kafka: topics ready (created " + names(missing)
                    + ", already there " + present + ")");
        }
        return status;
    }

    /** Creates the topics; one that appeared meanwhile counts as created. */
    private static int createAll(Admin admin, List<NewTopic> missing) throws InterruptedException {
        if (missing.isEmpty()) {
            return 0;
        }
        int status = 0;
        Map<String, KafkaFuture<Void>> results = admin.createTopics(missing).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                result.getValue().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    System.err.println("kafka: creating " + result.getKey() + " failed: " + e.getCause());
                    status = 3;
                }
            }
        }
        return status;
    }

    /** A topic left over with another partition count would silently change the test set-up. */
    private static int checkPartitions(Admin admin, List<NewTopic> wanted) throws InterruptedException {
        Map<String, TopicDescription> described;
        try {
            described = admin.describeTopics(names(wanted)).allTopicNames().get();
        } catch (ExecutionException e) {
            System.err.println("kafka: describing topics failed: " + e.getCause());
            return 3;
        }
        int status = 0;
        for (NewTopic topic : wanted) {
            int actual = described.get(topic.name()).partitions().size();
            if (actual != topic.numPartitions()) {
                System.err.println("kafka: topic " + topic.name() + " has " + actual + " partitions, wanted "
                        + topic.numPartitions() + " (run 'deploy/kafka.sh reset' to start from scratch)");
                status = 2;
            }
        }
        return status;
    }

    /** Topic names in the order given, for messages and describe requests. */
    private static List<String> names(List<NewTopic> topics) {
        List<String> names = new ArrayList<>();
        for (NewTopic topic : topics) {
            names.add(topic.name());
        }
        return names;
    }
}
